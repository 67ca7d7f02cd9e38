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
                $"lr_scheduler_type '{type}' is not supported; " +
                $"use one of {string.Join(", ", TrainingArguments.Schedulers)}.");
        this.type = type;
        warmup = Math.Max(0, warmupSteps);
        total = Math.Max(1, totalSteps);
        double Arg(string key, double fallback) =>
            kwargs is not null && kwargs.TryGetValue(key, out var v) && v is not null
                ? Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture)
                : fallback;
        cycles = Arg("num_cycles", type == "cosine" ? 0.5 : 1.0);
        power = Arg("power", 1.0);
        endRatio = Arg("lr_end", 1e-7) / learningRate;
    }

    /// <summary>The lr_scheduler_kwargs each scheduler takes, named as in the Hugging Face functions.</summary>
    public static IReadOnlyList<string> KwargNames(string type) => type switch
    {
        "cosine" or "cosine_with_restarts" => ["num_cycles"],
        "polynomial" => ["lr_end", "power"],
        _ => [],
    };

    /// <summary>
    /// Problems with lr_scheduler_kwargs for <paramref name="type"/>: names the scheduler does not take, values that
    /// are not numbers, and (polynomial) an lr_end not below the learning rate, which Hugging Face refuses too.
    /// </summary>
    public static IEnumerable<(string Problem, string Fix)> CheckKwargs(string type,
        IReadOnlyDictionary<string, object?> kwargs, double learningRate)
    {
        var known = KwargNames(type);
        foreach (var (name, value) in kwargs)
        {
            if (!known.Contains(name))
            {
                yield return known.Count == 0
                    ? ($"lr_scheduler_type {type} takes no lr_scheduler_kwargs, but '{name}' is given",
                        "remove lr_scheduler_kwargs, or pick a scheduler that takes it " +
                        "(cosine, cosine_with_restarts: num_cycles; polynomial: lr_end, power)")
                    : ($"lr_scheduler_type {type} takes no '{name}'", $"use {string.Join(" or ", known)}");
                continue;
            }
            if (value is not (long or int or double or float))
            {
                yield return ($"'{name}' is {value ?? "empty"}, not a number",
                    $"write {name} as a number, e.g. {name}: 2");
                continue;
            }
            double number = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
            if (name == "lr_end" && number >= learningRate)
                yield return (
                    $"lr_end {number:G} is not below learning_rate {learningRate:G}, so the rate would not decay",
                    $"set lr_end below {learningRate:G} (the default is 1e-7)");
            if (name is "num_cycles" or "power" && number <= 0)
                yield return ($"{name} {number:G} is not positive", $"give {name} a positive value");
        }
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
