using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// AnglE: CoSENT with the angle similarity (see <see cref="SimilarityFunctions.AnglePairwise"/>) in place of
/// cosine, which keeps gradients alive where cosine saturates. Pairs need a float score; with
/// (anchor, positive, negative_1..n) rows and no label the rows become pairs scored 1 (positive) and 0 (negatives).
/// Default scale 20.
/// </summary>
public sealed class AnglELoss : CoSENTLoss
{
    public AnglELoss(SentenceTransformer? model, double scale = 20.0) : base(nameof(AnglELoss), model, scale)
    {
    }

    protected override string SimilarityName => "pairwise_angle_sim";

    protected override Tensor PairScores(Tensor a, Tensor b) => SimilarityFunctions.AnglePairwise(a, b);

    public override Tensor ComputeFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels)
    {
        RequireColumns(embeddings.Count, 2, null, "text_a, text_b with a score, or anchor, positive, negatives");
        if (embeddings.Count == 2)
        {
            return RankPairs(embeddings[0], embeddings[1],
                RequireLabels(labels, "a float similarity score per pair; only n-tuples may omit it"));
        }

        using var scope = NewDisposeScope();
        Tensor anchors = embeddings[0];
        int others = embeddings.Count - 1;
        Tensor repeated = anchors.repeat(others, 1);
        Tensor candidates = cat(embeddings.Skip(1).ToArray(), 0);
        Tensor positiveLabels = labels?.to_type(anchors.dtype).view(-1)
                                ?? ones(anchors.shape[0], dtype: anchors.dtype, device: anchors.device);
        // Negatives are scored 1 - label so a row label (if given) ranks its negatives below its positive.
        Tensor allLabels = cat([positiveLabels, (1 - positiveLabels).repeat(others - 1)], 0);
        return RankPairs(repeated, candidates, allLabels).MoveToOuterDisposeScope();
    }
}
