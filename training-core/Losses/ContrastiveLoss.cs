using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Contrastive loss (Hadsell et al. 2006) for (text_a, text_b) pairs labelled 1 (similar) or 0 (dissimilar):
/// loss_i = 0.5 * (y_i * d_i^2 + (1 - y_i) * relu(margin - d_i)^2), averaged (size_average) or summed.
/// Defaults: distance COSINE_DISTANCE, margin 0.5, size_average true.
/// </summary>
public sealed class ContrastiveLoss : EmbeddingLoss
{
    public ContrastiveLoss(
        SentenceTransformer? model,
        string distanceMetric = DistanceMetrics.CosineDistance,
        double margin = 0.5,
        bool sizeAverage = true)
        : base(nameof(ContrastiveLoss), model)
    {
        DistanceMetric = DistanceMetrics.Parse(nameof(ContrastiveLoss), distanceMetric, DistanceMetrics.Siamese);
        Margin = margin;
        SizeAverage = sizeAverage;
    }

    public string DistanceMetric { get; }

    public double Margin { get; }

    public bool SizeAverage { get; }

    public override IReadOnlyDictionary<string, object?> Config => new Dictionary<string, object?>
    {
        ["distance_metric"] = $"SiameseDistanceMetric.{DistanceMetric}",
        ["margin"] = Margin,
        ["size_average"] = SizeAverage,
    };

    public override Tensor ComputeFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels)
    {
        RequireColumns(embeddings.Count, 2, 2, "text_a, text_b");
        Tensor gold = RequireLabels(labels, "1 for similar pairs, 0 for dissimilar ones");
        using var scope = NewDisposeScope();
        Tensor distances = DistanceMetrics.SiameseDistance(DistanceMetric, embeddings[0], embeddings[1]);
        Tensor y = gold.to_type(distances.dtype).view(-1);
        Tensor losses = 0.5 * (y * distances.pow(2) + (1 - y) * nn.functional.relu(Margin - distances).pow(2));
        return (SizeAverage ? losses.mean() : losses.sum()).MoveToOuterDisposeScope();
    }
}
