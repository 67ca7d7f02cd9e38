using StTrain.Core.Training;
using Xunit;

namespace StTrain.Tests.Training;

/// <summary>
/// Every scheduler against the Hugging Face lr_lambda definitions (transformers optimization.py), written out
/// again here as plain functions of the step, and against a few values worked out by hand.
/// </summary>
public sealed class LearningRateScheduleTests
{
    private const int Total = 100;
    private const int Warmup = 10;
    private const double Lr = 1e-3;

    // Warmup start, inside warmup, warmup end, early, middle, late, last step, the step after the run, past the run.
    public static readonly int[] Steps = [0, 1, 5, 9, 10, 11, 30, 55, 77, 99, 100, 101, 150];

    /// <summary>Linear warmup shared by every scheduler but "constant": step / max(1, warmup).</summary>
    private static double WarmupFactor(int step, int warmup) => (double)step / Math.Max(1, warmup);

    private static double Progress(int step, int warmup, int total) =>
        (double)(step - warmup) / Math.Max(1, total - warmup);

    /// <summary>The Hugging Face definitions, one per scheduler.</summary>
    private static double Expected(string type, int step, int warmup, int total,
        double cycles = double.NaN, double power = 1.0, double lrEnd = 1e-7, double lr = Lr)
    {
        if (type == "constant") return 1.0;
        if (step < warmup) return WarmupFactor(step, warmup);
        double p = Progress(step, warmup, total);
        switch (type)
        {
            case "constant_with_warmup":
                return 1.0;
            case "linear":
                // max(0, (total - step) / max(1, total - warmup))
                return Math.Max(0.0, (double)(total - step) / Math.Max(1, total - warmup));
            case "cosine":
                // max(0, ½(1 + cos(π · 2c · p))), c = 0.5 by default
                double c = double.IsNaN(cycles) ? 0.5 : cycles;
                return Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * c * 2.0 * p)));
            case "cosine_with_restarts":
                // 0 once p ≥ 1, else max(0, ½(1 + cos(π · ((c · p) mod 1)))), c = 1 by default
                double r = double.IsNaN(cycles) ? 1.0 : cycles;
                if (p >= 1.0) return 0.0;
                double phase = r * p - Math.Floor(r * p);
                return Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * phase)));
            case "polynomial":
                // lr_end / lr after the run, else
                // ((lr - lr_end) · (1 - (step - warmup)/(total - warmup))^power + lr_end) / lr
                if (step > total) return lrEnd / lr;
                double remaining = 1.0 - (double)(step - warmup) / (total - warmup);
                return ((lr - lrEnd) * Math.Pow(remaining, power) + lrEnd) / lr;
            default:
                throw new ArgumentException(type);
        }
    }

    public static TheoryData<string, int> DefaultCases()
    {
        var data = new TheoryData<string, int>();
        string[] types =
            ["linear", "cosine", "constant", "constant_with_warmup", "cosine_with_restarts", "polynomial"];
        foreach (string type in types)
            foreach (int step in Steps) data.Add(type, step);
        return data;
    }

    [Theory]
    [MemberData(nameof(DefaultCases))]
    public void Default_arguments_follow_the_hugging_face_definition(string type, int step)
    {
        var schedule = new LearningRateSchedule(type, Warmup, Total, Lr);
        Assert.Equal(Expected(type, step, Warmup, Total), schedule.Factor(step), 12);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    public void Cosine_takes_num_cycles(double cycles)
    {
        var schedule = new LearningRateSchedule("cosine", Warmup, Total, Lr,
            new Dictionary<string, object?> { ["num_cycles"] = cycles });
        foreach (int step in Steps)
            Assert.Equal(Expected("cosine", step, Warmup, Total, cycles), schedule.Factor(step), 12);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(2L)]
    [InlineData(3L)]
    public void Cosine_with_restarts_takes_num_cycles(long cycles)
    {
        // A YAML integer arrives as a long.
        var schedule = new LearningRateSchedule("cosine_with_restarts", Warmup, Total, Lr,
            new Dictionary<string, object?> { ["num_cycles"] = cycles });
        foreach (int step in Enumerable.Range(0, Total + 5))
            Assert.Equal(Expected("cosine_with_restarts", step, Warmup, Total, cycles), schedule.Factor(step), 12);
    }

    [Theory]
    [InlineData(1.0, 1e-7)]
    [InlineData(2.0, 1e-5)]
    [InlineData(0.5, 0.0)]
    public void Polynomial_takes_power_and_lr_end(double power, double lrEnd)
    {
        var schedule = new LearningRateSchedule("polynomial", Warmup, Total, Lr,
            new Dictionary<string, object?> { ["power"] = power, ["lr_end"] = lrEnd });
        foreach (int step in Steps)
            Assert.Equal(Expected("polynomial", step, Warmup, Total, power: power, lrEnd: lrEnd),
                schedule.Factor(step), 12);
    }

    [Fact]
    public void Hand_worked_values()
    {
        // Warmup 10 of 100: step 5 is half the rate, step 10 the full rate.
        var linear = new LearningRateSchedule("linear", 10, 100, Lr);
        Assert.Equal(0.5, linear.Factor(5), 12);
        Assert.Equal(1.0, linear.Factor(10), 12);
        Assert.Equal(0.5, linear.Factor(55), 12);          // 45 of 90 decay steps left
        Assert.Equal(0.0, linear.Factor(100), 12);
        Assert.Equal(0.0, linear.Factor(130), 12);          // floored, never negative

        var cosine = new LearningRateSchedule("cosine", 10, 100, Lr);
        Assert.Equal(0.5, cosine.Factor(55), 12);          // half way: ½(1 + cos(π/2))
        Assert.Equal(0.0, cosine.Factor(100), 12);
        var cosineNoWarmup = new LearningRateSchedule("cosine", 0, 100, Lr);
        Assert.Equal((1 + Math.Sqrt(0.5)) / 2, cosineNoWarmup.Factor(25), 12);

        // Two hard restarts: back to the full rate half way through the decay.
        var restarts = new LearningRateSchedule("cosine_with_restarts", 0, 100, Lr,
            new Dictionary<string, object?> { ["num_cycles"] = 2L });
        Assert.Equal(0.5, restarts.Factor(25), 12);
        Assert.Equal(1.0, restarts.Factor(50), 12);
        Assert.Equal(0.5, restarts.Factor(75), 12);
        Assert.Equal(0.0, restarts.Factor(100), 12);

        // Polynomial, power 2: (1e-3 - 1e-5)·0.5² + 1e-5 = 2.575e-4 at the middle, i.e. 0.2575 of the rate.
        var polynomial = new LearningRateSchedule("polynomial", 10, 100, 1e-3,
            new Dictionary<string, object?> { ["power"] = 2.0, ["lr_end"] = 1e-5 });
        Assert.Equal(0.2575, polynomial.Factor(55), 12);
        Assert.Equal(0.01, polynomial.Factor(100), 12);
        Assert.Equal(0.01, polynomial.Factor(200), 12);

        // "constant" has no warmup at all, even when warmup steps are given.
        Assert.Equal(1.0, new LearningRateSchedule("constant", 10, 100, Lr).Factor(0), 12);
        Assert.Equal(0.0, new LearningRateSchedule("constant_with_warmup", 10, 100, Lr).Factor(0), 12);
    }

    [Fact]
    public void No_warmup_starts_at_the_full_rate()
    {
        foreach (string type in new[] { "linear", "cosine", "constant_with_warmup", "cosine_with_restarts" })
            Assert.Equal(1.0, new LearningRateSchedule(type, 0, 50, Lr).Factor(0), 12);
        Assert.Equal(1.0, new LearningRateSchedule("polynomial", 0, 50, Lr).Factor(0), 12);
    }

    [Fact]
    public void An_unknown_scheduler_is_refused_with_the_list()
    {
        var error = Assert.Throws<ArgumentException>(() => new LearningRateSchedule("cosine_annealing", 0, 10, Lr));
        Assert.Contains("cosine_with_restarts", error.Message, StringComparison.Ordinal);
    }
}
