using StTrain.Core.Models;

namespace StTrain.Core.Evaluation;

/// <summary>
/// Scores a model on held-out data. Metric keys follow sentence-transformers exactly ("cosine_ndcg@10",
/// "spearman_cosine", ...) and are prefixed "{Name}_" when <see cref="Name"/> is not empty, so metric_for_best_model
/// values carry over from Python runs; the trainer logs each as "eval_{key}".
/// </summary>
public abstract class SentenceEvaluator
{
    protected SentenceEvaluator(string? name)
    {
        Name = name ?? string.Empty;
    }

    /// <summary>The prefix of every metric key; empty for none.</summary>
    public string Name { get; }

    /// <summary>The metric that ranks checkpoints, without the name prefix (e.g. "cosine_ndcg@10").</summary>
    public abstract string PrimaryMetric { get; }

    /// <summary>The primary metric's key as <see cref="Evaluate"/> returns it (with the name prefix).</summary>
    public string PrimaryKey => Prefix(PrimaryMetric);

    /// <summary>Whether a higher primary metric is better (true for every evaluator here).</summary>
    public virtual bool GreaterIsBetter => true;

    /// <summary>Every key <see cref="Evaluate"/> will return, prefixed, known without running the model.</summary>
    public abstract IReadOnlyList<string> MetricKeys { get; }

    /// <summary>Embeds the evaluation data with <paramref name="model"/> and returns the prefixed metrics.</summary>
    public abstract Dictionary<string, double> Evaluate(SentenceTransformer model);

    /// <summary>"{Name}_{metric}", or the metric alone when the name is empty.</summary>
    protected string Prefix(string metric) => Name.Length == 0 ? metric : $"{Name}_{metric}";

    /// <summary>The same metrics with every key prefixed.</summary>
    protected Dictionary<string, double> Prefixed(IEnumerable<KeyValuePair<string, double>> metrics) =>
        metrics.ToDictionary(kv => Prefix(kv.Key), kv => kv.Value);
}
