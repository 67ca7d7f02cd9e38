using StTrain.Core.Losses;
using StTrain.Core.Models;
using static TorchSharp.torch;

namespace StTrain.Core.Evaluation;

/// <summary>
/// Duplicate / paraphrase detection on (sentence1, sentence2, label 0|1) rows: for each similarity function, the best
/// accuracy and F1 reachable with one threshold (thresholds halfway between neighbouring scores), the precision and
/// recall at the best-F1 threshold, average precision and the Matthews correlation at the F1 threshold.
/// Keys: {fn}_accuracy, {fn}_accuracy_threshold, {fn}_f1, {fn}_precision, {fn}_recall, {fn}_f1_threshold, {fn}_ap,
/// {fn}_mcc, plus max_{metric} with several functions. Primary: {fn}_ap, or max_ap with several functions.
/// Euclidean and Manhattan thresholds are distances (smaller = more similar).
/// </summary>
public sealed class BinaryClassificationEvaluator : SentenceEvaluator
{
    private static readonly string[] MetricNames =
        ["accuracy", "accuracy_threshold", "f1", "precision", "recall", "f1_threshold", "ap", "mcc"];

    private readonly SimilarityNames names;

    public BinaryClassificationEvaluator(
        IReadOnlyList<string> sentences1,
        IReadOnlyList<string> sentences2,
        IReadOnlyList<int> labels,
        string name = "",
        IReadOnlyList<string>? similarityFnNames = null,
        EncodingSettings? encoding = null,
        string modelSimilarityHint = SimilarityFunctions.Cosine)
        : base(name)
    {
        if (sentences1.Count != sentences2.Count || sentences1.Count != labels.Count)
        {
            throw new ArgumentException(
                $"BinaryClassificationEvaluator '{name}': sentences1 ({sentences1.Count}), sentences2 " +
                $"({sentences2.Count}) and labels ({labels.Count}) must have the same length.");
        }

        int bad = labels.ToList().FindIndex(l => l is not (0 or 1));
        if (bad >= 0)
        {
            throw new ArgumentException($"BinaryClassificationEvaluator '{name}': label {labels[bad]} in row {bad} " +
                                        "not 0 or 1. Fix: use 1 for duplicates / similar pairs and 0 otherwise.");
        }

        if (labels.Count < 2)
        {
            throw new ArgumentException($"BinaryClassificationEvaluator '{name}': needs at least 2 pairs.");
        }

        Sentences1 = sentences1;
        Sentences2 = sentences2;
        Labels = labels;
        names = new SimilarityNames(similarityFnNames, modelSimilarityHint);
        Encoding = encoding ?? new EncodingSettings();
    }

    public IReadOnlyList<string> Sentences1 { get; }

    public IReadOnlyList<string> Sentences2 { get; }

    public IReadOnlyList<int> Labels { get; }

    public EncodingSettings Encoding { get; }

    public override string PrimaryMetric => names.Announced.Count > 1 ? "max_ap" : $"{names.Announced[0]}_ap";

    public override IReadOnlyList<string> MetricKeys =>
        PerFunctionMetrics.Keys(names.Announced, MetricNames, Key).Select(Prefix).ToList();

    public override Dictionary<string, double> Evaluate(SentenceTransformer model)
    {
        using var scope = NewDisposeScope();
        // Each distinct sentence is embedded once.
        List<string> unique = Sentences1.Concat(Sentences2).Distinct(StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < unique.Count; i++) index[unique[i]] = i;
        Tensor all = Encoding.Encode(model, unique);
        Tensor e1 = all.index_select(0, tensor(Sentences1.Select(s => index[s]).ToArray()));
        Tensor e2 = all.index_select(0, tensor(Sentences2.Select(s => index[s]).ToArray()));
        return ComputeFromEmbeddings(e1, e2, names.For(model.SimilarityFunctionName));
    }

    /// <summary>The metrics for precomputed embeddings of sentences1 / sentences2 (prefixed keys).</summary>
    public Dictionary<string, double> ComputeFromEmbeddings(Tensor embeddings1, Tensor embeddings2,
        IReadOnlyList<string>? similarityFunctions = null)
    {
        return Prefixed(PerFunctionMetrics.Compute(similarityFunctions ?? names.Announced, MetricNames, Key, fn =>
        {
            double[] values = PerFunctionMetrics.Pairwise(fn, embeddings1, embeddings2);
            // Distances are reported as distances, as upstream does: flip the negated similarity back.
            bool higherIsSimilar = fn is SimilarityFunctions.Cosine or SimilarityFunctions.Dot;
            return Classify(higherIsSimilar ? values : values.Select(v => -v).ToArray(), higherIsSimilar);
        }));
    }

    private static string Key(string fn, string metric) => $"{fn}_{metric}";

    private IEnumerable<(string Metric, double Value)> Classify(double[] scores, bool higherIsSimilar)
    {
        int n = scores.Length;
        // Most similar first; equal scores keep row order (a stable sort, like Python's sorted).
        int[] order = higherIsSimilar
            ? Enumerable.Range(0, n).OrderByDescending(i => scores[i]).ToArray()
            : Enumerable.Range(0, n).OrderBy(i => scores[i]).ToArray();

        // Best accuracy: predict "similar" for the first i + 1 rows of the order.
        double bestAccuracy = 0, accuracyThreshold = -1;
        int positivesSoFar = 0, remainingNegatives = Labels.Count(l => l == 0);
        for (int i = 0; i < n - 1; i++)
        {
            if (Labels[order[i]] == 1) positivesSoFar++;
            else remainingNegatives--;
            double accuracy = (double)(positivesSoFar + remainingNegatives) / n;
            if (accuracy > bestAccuracy)
            {
                bestAccuracy = accuracy;
                accuracyThreshold = (scores[order[i]] + scores[order[i + 1]]) / 2;
            }
        }

        // Best F1 over the same cut points.
        double bestF1 = 0, bestPrecision = 0, bestRecall = 0, f1Threshold = 0;
        int extracted = 0, correct = 0, totalPositives = Labels.Count(l => l == 1);
        for (int i = 0; i < n - 1; i++)
        {
            extracted++;
            if (Labels[order[i]] == 1) correct++;
            if (correct == 0) continue;
            double precision = (double)correct / extracted;
            double recall = (double)correct / totalPositives;
            double f1 = 2 * precision * recall / (precision + recall);
            if (f1 > bestF1)
            {
                bestF1 = f1;
                bestPrecision = precision;
                bestRecall = recall;
                f1Threshold = (scores[order[i]] + scores[order[i + 1]]) / 2;
            }
        }

        double ap = EvaluationMath.AveragePrecision(
            Labels.Select(l => l == 1).ToArray(), higherIsSimilar ? scores : scores.Select(s => -s).ToArray());

        long tp = 0, tn = 0, fp = 0, fn = 0;
        for (int i = 0; i < n; i++)
        {
            bool predicted = higherIsSimilar ? scores[i] >= f1Threshold : scores[i] <= f1Threshold;
            bool actual = Labels[i] == 1;
            if (predicted && actual) tp++;
            else if (predicted) fp++;
            else if (actual) fn++;
            else tn++;
        }

        yield return ("accuracy", bestAccuracy);
        yield return ("accuracy_threshold", accuracyThreshold);
        yield return ("f1", bestF1);
        yield return ("precision", bestPrecision);
        yield return ("recall", bestRecall);
        yield return ("f1_threshold", f1Threshold);
        yield return ("ap", ap);
        yield return ("mcc", EvaluationMath.MatthewsCorrelation(tp, tn, fp, fn));
    }
}
