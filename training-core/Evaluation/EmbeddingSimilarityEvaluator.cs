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

    public override IReadOnlyList<string> MetricKeys => KeysFor(names.Announced).Select(Prefix).ToList();

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
        IReadOnlyList<string> functions = similarityFunctions ?? names.Announced;
        var metrics = new Dictionary<string, double>();
        foreach (string fn in functions)
        {
            using Tensor similarity = SimilarityFunctions.Pairwise(fn, embeddings1, embeddings2);
            double[] predicted = EvaluationMath.Values(similarity);
            metrics[$"pearson_{fn}"] = EvaluationMath.Pearson(Scores, predicted);
            metrics[$"spearman_{fn}"] = EvaluationMath.Spearman(Scores, predicted);
        }

        if (functions.Count > 1)
        {
            metrics["pearson_max"] = functions.Max(fn => metrics[$"pearson_{fn}"]);
            metrics["spearman_max"] = functions.Max(fn => metrics[$"spearman_{fn}"]);
        }

        return Prefixed(metrics);
    }

    private string PrimaryFor(IReadOnlyList<string> functions) =>
        MainSimilarity is not null ? $"spearman_{MainSimilarity}"
        : functions.Count > 1 ? "spearman_max"
        : $"spearman_{functions[0]}";

    private static IEnumerable<string> KeysFor(IReadOnlyList<string> functions)
    {
        foreach (string fn in functions)
        {
            yield return $"pearson_{fn}";
            yield return $"spearman_{fn}";
        }

        if (functions.Count > 1)
        {
            yield return "pearson_max";
            yield return "spearman_max";
        }
    }
}
