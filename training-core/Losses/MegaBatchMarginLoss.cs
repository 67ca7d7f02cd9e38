using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// MegaBatchMarginLoss (Wieting &amp; Gimpel 2018) for (anchor, positive) pairs: each anchor's positive should
/// score above positive_margin and its hardest in-batch negative (the most similar other positive) below
/// negative_margin: loss = (1/B) sum_i [relu(pm - cos(a_i, p_i)) + relu(max_{j != i} cos(a_i, p_j) - nm)].
/// Defaults: positive_margin 0.8, negative_margin 0.3, use_mini_batched_version true, mini_batch_size 50.
/// The mini-batched version uses GradCache (does its own backward) so very large batches fit.
/// </summary>
public sealed class MegaBatchMarginLoss : CachedEmbeddingLoss
{
    public MegaBatchMarginLoss(
        SentenceTransformer? model,
        double positiveMargin = 0.8,
        double negativeMargin = 0.3,
        bool useMiniBatchedVersion = true,
        int miniBatchSize = 50)
        : base(nameof(MegaBatchMarginLoss), model, miniBatchSize)
    {
        PositiveMargin = positiveMargin;
        NegativeMargin = negativeMargin;
        UseMiniBatchedVersion = useMiniBatchedVersion;
    }

    public double PositiveMargin { get; }

    public double NegativeMargin { get; }

    public bool UseMiniBatchedVersion { get; }

    public override bool PerformsOwnBackward => UseMiniBatchedVersion;

    public override IReadOnlyDictionary<string, object?> Config => new Dictionary<string, object?>
    {
        ["positive_margin"] = PositiveMargin,
        ["negative_margin"] = NegativeMargin,
        ["use_mini_batched_version"] = UseMiniBatchedVersion,
        ["mini_batch_size"] = MiniBatchSize,
    };

    public override Tensor Compute(IReadOnlyList<Features> inputs, Tensor? labels)
    {
        if (UseMiniBatchedVersion) return base.Compute(inputs, labels);
        CheckColumns(inputs.Count);
        var embeddings = inputs.Select(f => Model.forward(f)[Features.SentenceEmbedding]).ToList();
        return LossFromEmbeddings(embeddings, labels, withBackward: false);
    }

    protected override void CheckColumns(int count) =>
        RequireColumns(count, 2, 2, "anchor, positive; the hardest negative is mined from the other positives");

    protected override Tensor LossFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels, bool withBackward)
    {
        Tensor anchors = embeddings[0], positives = embeddings[1];
        long batch = anchors.shape[0];
        long chunk = withBackward ? MiniBatchSize : batch;
        var parts = new List<Tensor>();
        for (long begin = 0; begin < batch; begin += chunk)
        {
            long rows = Math.Min(chunk, batch - begin);
            using var scope = NewDisposeScope();
            Tensor scores = SimilarityFunctions.CosineMatrix(anchors.narrow(0, begin, rows), positives);
            Tensor own = arange(begin, begin + rows, dtype: ScalarType.Int64, device: scores.device).unsqueeze(1);
            Tensor positive = scores.gather(1, own).squeeze(1);
            Tensor isOwn = arange(batch, dtype: ScalarType.Int64, device: scores.device).unsqueeze(0).eq(own);
            Tensor hardestNegative = scores.masked_fill(isOwn, double.NegativeInfinity).max(1).values;
            Tensor part = (nn.functional.relu(PositiveMargin - positive) +
                           nn.functional.relu(hardestNegative - NegativeMargin)).sum() / batch;
            if (withBackward)
            {
                part.backward();
                part = part.detach();
            }

            parts.Add(part.MoveToOuterDisposeScope());
        }

        return parts.Count == 1 ? parts[0] : stack(parts.ToArray()).sum();
    }
}
