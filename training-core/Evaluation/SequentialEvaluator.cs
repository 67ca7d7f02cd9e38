using StTrain.Core.Models;

namespace StTrain.Core.Evaluation;

/// <summary>
/// Runs several evaluators and returns all their metrics plus "sequential_score", computed from each evaluator's
/// primary metric: by default the last evaluator's (as upstream), or their mean, max or min. Primary metric:
/// sequential_score. The key is not prefixed: the inner evaluators carry their own names.
/// </summary>
public sealed class SequentialEvaluator : SentenceEvaluator
{
    public static readonly IReadOnlyList<string> ScoreFunctions = ["last", "mean", "max", "min"];

    public SequentialEvaluator(IReadOnlyList<SentenceEvaluator> evaluators, string mainScoreFunction = "last")
        : base(string.Empty)
    {
        if (evaluators.Count == 0)
        {
            throw new ArgumentException("SequentialEvaluator needs at least one evaluator.");
        }

        string? duplicate = evaluators.SelectMany(e => e.MetricKeys).GroupBy(k => k, StringComparer.Ordinal)
            .FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
        {
            throw new ArgumentException($"SequentialEvaluator: two evaluators both report '{duplicate}'. Fix: give " +
                                        "each evaluator a distinct name, which prefixes its metric keys.");
        }

        if (!ScoreFunctions.Contains(mainScoreFunction))
        {
            throw new ArgumentException($"SequentialEvaluator: main_score_function '{mainScoreFunction}' is unknown. " +
                                        $"Fix: use one of {string.Join(", ", ScoreFunctions)}.");
        }

        Evaluators = evaluators;
        MainScoreFunction = mainScoreFunction;
    }

    public IReadOnlyList<SentenceEvaluator> Evaluators { get; }

    public string MainScoreFunction { get; }

    public override string PrimaryMetric => "sequential_score";

    public override IReadOnlyList<string> MetricKeys =>
        [.. Evaluators.SelectMany(e => e.MetricKeys), "sequential_score"];

    public override Dictionary<string, double> Evaluate(SentenceTransformer model) =>
        Combine(Evaluators.Select(e => e.Evaluate(model)).ToList());

    /// <summary>Merges computed results of <see cref="Evaluators"/> (same order), adding sequential_score.</summary>
    public Dictionary<string, double> Combine(IReadOnlyList<Dictionary<string, double>> results)
    {
        var merged = new Dictionary<string, double>();
        var primaries = new List<double>();
        for (int i = 0; i < Evaluators.Count; i++)
        {
            foreach (var (key, value) in results[i]) merged[key] = value;
            primaries.Add(results[i][Evaluators[i].PrimaryKey]);
        }

        merged["sequential_score"] = MainScoreFunction switch
        {
            "mean" => primaries.Average(),
            "max" => primaries.Max(),
            "min" => primaries.Min(),
            _ => primaries[^1],
        };
        return merged;
    }
}
