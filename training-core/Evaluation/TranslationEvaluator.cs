using StTrain.Core.Losses;
using StTrain.Core.Models;
using static TorchSharp.torch;

namespace StTrain.Core.Evaluation;

/// <summary>
/// Translation matching on parallel (source, target) sentences: source i should be most cosine-similar to target i
/// among all targets (src2trg_accuracy) and target i to source i (trg2src_accuracy); mean_accuracy is their mean
/// and the primary metric. On a tie the first index wins (numpy argmax).
/// </summary>
public sealed class TranslationEvaluator : SentenceEvaluator
{
    public TranslationEvaluator(IReadOnlyList<string> sourceSentences, IReadOnlyList<string> targetSentences,
        string name = "", EncodingSettings? encoding = null)
        : base(name)
    {
        if (sourceSentences.Count != targetSentences.Count || sourceSentences.Count == 0)
        {
            throw new ArgumentException($"TranslationEvaluator '{name}': needs as many target as source sentences " +
                                        $"(and at least one); got {sourceSentences.Count} and " +
                                        $"{targetSentences.Count}.");
        }

        SourceSentences = sourceSentences;
        TargetSentences = targetSentences;
        Encoding = encoding ?? new EncodingSettings { BatchSize = 16 };
    }

    public IReadOnlyList<string> SourceSentences { get; }

    public IReadOnlyList<string> TargetSentences { get; }

    public EncodingSettings Encoding { get; }

    public override string PrimaryMetric => "mean_accuracy";

    public override IReadOnlyList<string> MetricKeys =>
        new[] { "src2trg_accuracy", "trg2src_accuracy", "mean_accuracy" }.Select(Prefix).ToList();

    public override Dictionary<string, double> Evaluate(SentenceTransformer model)
    {
        using var scope = NewDisposeScope();
        return ComputeFromEmbeddings(Encoding.Encode(model, SourceSentences), Encoding.Encode(model, TargetSentences));
    }

    /// <summary>The metrics for the [N, D] source and target embeddings (prefixed keys).</summary>
    public Dictionary<string, double> ComputeFromEmbeddings(Tensor source, Tensor target)
    {
        using var scope = NewDisposeScope();
        double[][] similarity = EvaluationMath.Rows(SimilarityFunctions.CosineMatrix(source, target));
        int n = similarity.Length;
        int forward = 0, backward = 0;
        for (int i = 0; i < n; i++)
        {
            if (ArgMax(j => similarity[i][j], n) == i) forward++;
            if (ArgMax(j => similarity[j][i], n) == i) backward++;
        }

        double src2trg = (double)forward / n, trg2src = (double)backward / n;
        return Prefixed(new Dictionary<string, double>
        {
            ["src2trg_accuracy"] = src2trg,
            ["trg2src_accuracy"] = trg2src,
            ["mean_accuracy"] = (src2trg + trg2src) / 2,
        });
    }

    private static int ArgMax(Func<int, double> value, int n)
    {
        int best = 0;
        for (int j = 1; j < n; j++)
        {
            if (value(j) > value(best)) best = j;
        }

        return best;
    }
}
