using StTrain.Core.Losses;
using StTrain.Core.Models;
using static TorchSharp.torch;

namespace StTrain.Core.Evaluation;

/// <summary>
/// Classification accuracy of a <see cref="SoftmaxLoss"/>'s classifier on (sentence1, sentence2, class id) rows:
/// the share of rows whose arg-max logit is the gold class. Primary metric: accuracy. It needs the trained loss, so
/// it is built in code (or by the trainer), not from a spec alone.
/// </summary>
public sealed class LabelAccuracyEvaluator : SentenceEvaluator
{
    public LabelAccuracyEvaluator(SoftmaxLoss softmaxModel, IReadOnlyList<string> sentences1,
        IReadOnlyList<string> sentences2, IReadOnlyList<int> labels, string name = "",
        EncodingSettings? encoding = null)
        : base(name)
    {
        if (sentences1.Count != sentences2.Count || sentences1.Count != labels.Count || labels.Count == 0)
        {
            throw new ArgumentException($"LabelAccuracyEvaluator '{name}': sentences1 ({sentences1.Count}), " +
                                        $"sentences2 ({sentences2.Count}) and labels ({labels.Count}) must have the " +
                                        "same, non-zero length.");
        }

        SoftmaxModel = softmaxModel;
        Sentences1 = sentences1;
        Sentences2 = sentences2;
        Labels = labels;
        Encoding = encoding ?? new EncodingSettings();
    }

    public SoftmaxLoss SoftmaxModel { get; }

    public IReadOnlyList<string> Sentences1 { get; }

    public IReadOnlyList<string> Sentences2 { get; }

    public IReadOnlyList<int> Labels { get; }

    public EncodingSettings Encoding { get; }

    public override string PrimaryMetric => "accuracy";

    public override IReadOnlyList<string> MetricKeys => [Prefix("accuracy")];

    public override Dictionary<string, double> Evaluate(SentenceTransformer model)
    {
        using var scope = NewDisposeScope();
        Device device = SoftmaxModel.Classifier.weight!.device;
        return ComputeFromEmbeddings(Encoding.Encode(model, Sentences1).to(device),
            Encoding.Encode(model, Sentences2).to(device));
    }

    /// <summary>The accuracy for precomputed embeddings of sentences1 / sentences2 (prefixed key).</summary>
    public Dictionary<string, double> ComputeFromEmbeddings(Tensor embeddings1, Tensor embeddings2)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long[] predicted = SoftmaxModel.Logits(embeddings1, embeddings2).argmax(1).cpu().data<long>().ToArray();
        int correct = predicted.Where((p, i) => p == Labels[i]).Count();
        return Prefixed(new Dictionary<string, double> { ["accuracy"] = (double)correct / Labels.Count });
    }
}
