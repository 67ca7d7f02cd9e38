using StTrain.Core.Training.Spec;

namespace StTrain.Core.Evaluation;

/// <summary>
/// What validation, tool descriptions and references need to know about an evaluator: the data files it reads (by
/// role), its parameters, its primary metric, the metric keys it produces, and how to build it from a spec entry.
/// </summary>
public sealed record EvaluatorInfo
{
    public required string Name { get; init; }
    public string ModelType { get; init; } = "SentenceTransformer";
    public required string Summary { get; init; }

    /// <summary>Data roles under `data:` and what each file holds, e.g. queries → "(id, text)".</summary>
    public required IReadOnlyDictionary<string, string> DataRoles { get; init; }

    /// <summary>The primary metric without the name prefix, as upstream reports it.</summary>
    public required string PrimaryMetric { get; init; }

    /// <summary>Parameter names with one-line descriptions.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Task words (retrieval, similarity, ...) the references and the router use.</summary>
    public string Task { get; init; } = "";

    public required Func<EvaluatorSpec, Func<string, string>, int?, SentenceEvaluator> Factory { get; init; }

    /// <summary>The metric keys (name-prefixed, without eval_) this entry will produce, known without data.</summary>
    public required Func<EvaluatorSpec, IReadOnlyList<string>> MetricKeys { get; init; }
}
