using StTrain.Core.Losses;
using StTrain.Core.Models;
using static TorchSharp.torch;

namespace StTrain.Core.Evaluation;

/// <summary>
/// Triplet accuracy on (anchor, positive, negative) rows: the share of rows with
/// sim(anchor, positive) &gt; sim(anchor, negative) + margin (ties count as misses). Keys: {fn}_accuracy, plus
/// max_accuracy with several functions. Primary: {main_similarity_function}_accuracy, else max_accuracy with several
/// functions, else {fn}_accuracy (the model's function by default: cosine_accuracy). Anchors are encoded as queries,
/// positives and negatives as documents.
/// </summary>
public sealed class TripletEvaluator : SentenceEvaluator
{
    private static readonly string[] MetricNames = ["accuracy"];

    private readonly SimilarityNames names;

    public TripletEvaluator(
        IReadOnlyList<string> anchors,
        IReadOnlyList<string> positives,
        IReadOnlyList<string> negatives,
        string name = "",
        string? mainSimilarityFunction = null,
        double margin = 0.0,
        IReadOnlyList<string>? similarityFnNames = null,
        EncodingSettings? encoding = null,
        string modelSimilarityHint = SimilarityFunctions.Cosine)
        : base(name)
    {
        if (anchors.Count != positives.Count || anchors.Count != negatives.Count)
        {
            throw new ArgumentException($"TripletEvaluator '{name}': anchors ({anchors.Count}), positives " +
                                        $"({positives.Count}) and negatives ({negatives.Count}) must have the same " +
                                        "length.");
        }

        if (anchors.Count == 0)
        {
            throw new ArgumentException($"TripletEvaluator '{name}': there are no triplets to evaluate.");
        }

        Anchors = anchors;
        Positives = positives;
        Negatives = negatives;
        Margin = margin;
        MainSimilarityFunction = mainSimilarityFunction is null
            ? null
            : SimilarityFunctions.Canonical(mainSimilarityFunction);
        names = new SimilarityNames(similarityFnNames, modelSimilarityHint);
        if (MainSimilarityFunction is not null && names.Explicit is not null &&
            !names.Explicit.Contains(MainSimilarityFunction))
        {
            throw new ArgumentException($"TripletEvaluator '{name}': main_similarity_function " +
                                        $"'{MainSimilarityFunction}' is not among similarity_fn_names. Fix: add it.");
        }

        Encoding = encoding ?? new EncodingSettings { BatchSize = 16 };
    }

    public IReadOnlyList<string> Anchors { get; }

    public IReadOnlyList<string> Positives { get; }

    public IReadOnlyList<string> Negatives { get; }

    public double Margin { get; }

    public string? MainSimilarityFunction { get; }

    public EncodingSettings Encoding { get; }

    public override string PrimaryMetric => MainSimilarityFunction is not null ? $"{MainSimilarityFunction}_accuracy"
        : names.Announced.Count > 1 ? "max_accuracy"
        : $"{names.Announced[0]}_accuracy";

    public override IReadOnlyList<string> MetricKeys =>
        PerFunctionMetrics.Keys(WithMain(names.Announced), MetricNames, Key).Select(Prefix).ToList();

    public override Dictionary<string, double> Evaluate(SentenceTransformer model)
    {
        using var scope = NewDisposeScope();
        Tensor a = Encoding.EncodeQueries(model, Anchors);
        Tensor p = Encoding.EncodeDocuments(model, Positives);
        Tensor n = Encoding.EncodeDocuments(model, Negatives);
        return ComputeFromEmbeddings(a, p, n, names.For(model.SimilarityFunctionName));
    }

    /// <summary>The metrics for precomputed anchor / positive / negative embeddings (prefixed keys).</summary>
    public Dictionary<string, double> ComputeFromEmbeddings(Tensor anchors, Tensor positives, Tensor negatives,
        IReadOnlyList<string>? similarityFunctions = null)
    {
        IReadOnlyList<string> functions = WithMain(similarityFunctions ?? names.Announced);
        return Prefixed(PerFunctionMetrics.Compute(functions, MetricNames, Key, fn =>
        {
            using var scope = NewDisposeScope();
            double[] pos = PerFunctionMetrics.Pairwise(fn, anchors, positives);
            double[] neg = PerFunctionMetrics.Pairwise(fn, anchors, negatives);
            return [("accuracy", pos.Where((s, i) => s > neg[i] + Margin).Count() / (double)pos.Length)];
        }));
    }

    private static string Key(string fn, string metric) => $"{fn}_{metric}";

    /// <summary>
    /// <paramref name="functions"/> plus main_similarity_function when it is missing: with a main function but no
    /// explicit list, upstream still reports the model's function only; the main one is added so the primary key
    /// exists.
    /// </summary>
    private IReadOnlyList<string> WithMain(IReadOnlyList<string> functions) =>
        MainSimilarityFunction is null || functions.Contains(MainSimilarityFunction)
            ? functions
            : [.. functions, MainSimilarityFunction];
}
