using StTrain.Core.Losses;
using StTrain.Core.Models;
using static TorchSharp.torch;

namespace StTrain.Core.Evaluation;

/// <summary>
/// Semantic textual similarity: how well the similarity of each (sentence1, sentence2) pair correlates with its gold
/// score. Reports pearson_{fn} and spearman_{fn} per similarity function (plus pearson_max / spearman_max when
/// several are asked for). Primary metric: spearman_{main_similarity}, else spearman_max with several functions,
/// else spearman of the single function (the model's own by default, so usually spearman_cosine).
/// </summary>
public sealed class EmbeddingSimilarityEvaluator : SentenceEvaluator
{
    private static readonly string[] MetricNames = ["pearson", "spearman"];

    private readonly SimilarityNames names;

    public EmbeddingSimilarityEvaluator(
        IReadOnlyList<string> sentences1,
        IReadOnlyList<string> sentences2,
        IReadOnlyList<double> scores,
        string name = "",
        string? mainSimilarity = null,
        IReadOnlyList<string>? similarityFnNames = null,
        EncodingSettings? encoding = null,
        string modelSimilarityHint = SimilarityFunctions.Cosine)
        : base(name)
    {
        if (sentences1.Count != sentences2.Count || sentences1.Count != scores.Count)
        {
            throw new ArgumentException(
                $"EmbeddingSimilarityEvaluator '{name}': sentences1 ({sentences1.Count}), sentences2 " +
                $"({sentences2.Count}) and scores ({scores.Count}) must have the same length.");
        }

        if (sentences1.Count < 2)
        {
            throw new ArgumentException($"EmbeddingSimilarityEvaluator '{name}': correlations need at least 2 pairs; " +
                                        $"got {sentences1.Count}.");
        }

        Sentences1 = sentences1;
        Sentences2 = sentences2;
        Scores = scores;
        MainSimilarity = mainSimilarity is null ? null : SimilarityFunctions.Canonical(mainSimilarity);
        // A main similarity without a list means "report just that one", as upstream does.
        names = new SimilarityNames(
            similarityFnNames is { Count: > 0 } ? similarityFnNames : MainSimilarity is null ? null : [MainSimilarity],
            modelSimilarityHint);
        if (MainSimilarity is not null && !names.Announced.Contains(MainSimilarity))
        {
            throw new ArgumentException($"EmbeddingSimilarityEvaluator '{name}': main_similarity '{MainSimilarity}' " +
                                        "is not among similarity_fn_names. Fix: add it to the list.");
        }

        Encoding = encoding ?? new EncodingSettings { BatchSize = 16 };
    }

    public IReadOnlyList<string> Sentences1 { get; }

    public IReadOnlyList<string> Sentences2 { get; }

    public IReadOnlyList<double> Scores { get; }

    public string? MainSimilarity { get; }

    public EncodingSettings Encoding { get; }

    public override string PrimaryMetric => PrimaryFor(names.Announced);

    public override IReadOnlyList<string> MetricKeys =>
        PerFunctionMetrics.Keys(names.Announced, MetricNames, Key).Select(Prefix).ToList();

    public override Dictionary<string, double> Evaluate(SentenceTransformer model)
    {
        using var scope = NewDisposeScope();
        Tensor e1 = Encoding.Encode(model, Sentences1);
        Tensor e2 = Encoding.Encode(model, Sentences2);
        return ComputeFromEmbeddings(e1, e2, names.For(model.SimilarityFunctionName));
    }

    /// <summary>The metrics for precomputed embeddings of sentences1 / sentences2 (prefixed keys).</summary>
    public Dictionary<string, double> ComputeFromEmbeddings(Tensor embeddings1, Tensor embeddings2,
        IReadOnlyList<string>? similarityFunctions = null)
    {
        return Prefixed(PerFunctionMetrics.Compute(similarityFunctions ?? names.Announced, MetricNames, Key, fn =>
        {
            double[] predicted = PerFunctionMetrics.Pairwise(fn, embeddings1, embeddings2);
            return [("pearson", EvaluationMath.Pearson(Scores, predicted)),
                ("spearman", EvaluationMath.Spearman(Scores, predicted))];
        }));
    }

    private static string Key(string fn, string metric) => $"{metric}_{fn}";

    private string PrimaryFor(IReadOnlyList<string> functions) =>
        MainSimilarity is not null ? $"spearman_{MainSimilarity}"
        : functions.Count > 1 ? "spearman_max"
        : $"spearman_{functions[0]}";
}
