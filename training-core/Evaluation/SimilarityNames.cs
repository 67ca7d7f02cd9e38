using StTrain.Core.Losses;

namespace StTrain.Core.Evaluation;

/// <summary>
/// Resolves the similarity functions an evaluator reports: the explicit list when given, otherwise the model's own
/// function (sentence-transformers' default). <see cref="ModelHint"/> is the model function assumed for
/// <see cref="SentenceEvaluator.MetricKeys"/> before a model is seen; the registry sets it from the model.
/// </summary>
internal sealed class SimilarityNames
{
    public SimilarityNames(IReadOnlyList<string>? explicitNames, string modelHint)
    {
        Explicit = explicitNames is { Count: > 0 }
            ? explicitNames.Select(SimilarityFunctions.Canonical).Distinct().ToList()
            : null;
        ModelHint = SimilarityFunctions.Canonical(modelHint);
    }

    public IReadOnlyList<string>? Explicit { get; }

    public string ModelHint { get; }

    /// <summary>The functions <see cref="SentenceEvaluator.MetricKeys"/> announces.</summary>
    public IReadOnlyList<string> Announced => Explicit ?? [ModelHint];

    /// <summary>The functions used for a model whose own function is <paramref name="modelFunction"/>.</summary>
    public IReadOnlyList<string> For(string modelFunction) =>
        Explicit ?? [SimilarityFunctions.Canonical(modelFunction)];
}
