using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Contrastive loss restricted to the hard pairs of the batch: negatives (label 0) closer than the farthest positive
/// and positives (label 1) farther than the closest negative. With only one positive (negative) in the batch, the
/// mean distance of the other class is the cut-off instead.
/// loss = sum_{hard positives} d^2 + sum_{hard negatives} relu(margin - d)^2 (a sum, not a mean).
/// Defaults: distance COSINE_DISTANCE, margin 0.5. Labels other than 0 and 1 are ignored.
/// </summary>
public sealed class OnlineContrastiveLoss : EmbeddingLoss
{
    public OnlineContrastiveLoss(
        SentenceTransformer? model,
        string distanceMetric = DistanceMetrics.CosineDistance,
        double margin = 0.5)
        : base(nameof(OnlineContrastiveLoss), model)
    {
        DistanceMetric = DistanceMetrics.Parse(nameof(OnlineContrastiveLoss), distanceMetric, DistanceMetrics.Siamese);
        Margin = margin;
    }

    public string DistanceMetric { get; }

    public double Margin { get; }

    public override IReadOnlyDictionary<string, object?> Config => new Dictionary<string, object?>
    {
        ["distance_metric"] = $"SiameseDistanceMetric.{DistanceMetric}",
        ["margin"] = Margin,
    };

    public override Tensor ComputeFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels)
    {
        RequireColumns(embeddings.Count, 2, 2, "text_a, text_b");
        Tensor gold = RequireLabels(labels, "1 for similar pairs, 0 for dissimilar ones").view(-1);
        using var scope = NewDisposeScope();
        Tensor distances = DistanceMetrics.SiameseDistance(DistanceMetric, embeddings[0], embeddings[1]);
        Tensor negatives = distances.masked_select(gold.eq(0));
        Tensor positives = distances.masked_select(gold.eq(1));
        Tensor negativeCut = positives.shape[0] > 1 ? positives.max() : negatives.mean();
        Tensor positiveCut = negatives.shape[0] > 1 ? negatives.min() : positives.mean();
        Tensor hardNegatives = negatives.masked_select(negatives.lt(negativeCut));
        Tensor hardPositives = positives.masked_select(positives.gt(positiveCut));
        Tensor loss = hardPositives.pow(2).sum() + nn.functional.relu(Margin - hardNegatives).pow(2).sum();
        return loss.MoveToOuterDisposeScope();
    }
}
