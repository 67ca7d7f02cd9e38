using StTrain.Core.Training.Spec;

namespace StTrain.Core.Training;

/// <summary>
/// The learning-rate multiplier per optimizer step for the Hugging Face schedulers (linear, cosine, constant,
/// constant_with_warmup, cosine_with_restarts, polynomial), all with linear warmup from 0.
/// </summary>
public sealed class LearningRateSchedule
{
    private readonly string type;
    private readonly int warmup;
    private readonly int total;
    private readonly double cycles;
    private readonly double power;
    private readonly double endRatio;

    public LearningRateSchedule(string type, int warmupSteps, int totalSteps, double learningRate,
        IReadOnlyDictionary<string, object?>? kwargs = null)
    {
        if (!TrainingArguments.Schedulers.Contains(type))
            throw new ArgumentException(
                $"lr_scheduler_type '{type}' is not supported; use one of {string.Join(", ", TrainingArguments.Schedulers)}.");
        this.type = type;
        warmup = Math.Max(0, warmupSteps);
        total = Math.Max(1, totalSteps);
        double Arg(string key, double fallback) => kwargs is not null && kwargs.TryGetValue(key, out var v) && v is not null
            ? Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture)
            : fallback;
        cycles = Arg("num_cycles", type == "cosine" ? 0.5 : 1.0);
        power = Arg("power", 1.0);
        endRatio = Arg("lr_end", 1e-7) / learningRate;
    }

    /// <summary>Multiplier of the base learning rate at optimizer step <paramref name="step"/> (0-based).</summary>
    public double Factor(int step)
    {
        if (type == "constant") return 1.0;
        if (step < warmup) return (double)step / Math.Max(1, warmup);
        if (type == "constant_with_warmup") return 1.0;

        double progress = (double)(step - warmup) / Math.Max(1, total - warmup);
        return type switch
        {
            // (total - step) / (total - warmup), floored at 0.
            "linear" => Math.Max(0.0, 1.0 - progress),
            // Half a cosine wave by default: 0.5·(1 + cos(π · 2·cycles · progress)).
            "cosine" => Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * 2.0 * cycles * progress))),
            "cosine_with_restarts" => progress >= 1.0
                ? 0.0
                : Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * (cycles * progress % 1.0)))),
            // (1 - end)·(1 - progress)^power + end, relative to the base rate; `end` once the run is over.
            "polynomial" => step > total
                ? endRatio
                : (1.0 - endRatio) * Math.Pow(1.0 - progress, power) + endRatio,
            _ => 1.0,
        };
    }
}
