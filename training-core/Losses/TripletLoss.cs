using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Triplet loss for (anchor, positive, negative) rows: loss = mean_i relu(d(a_i, p_i) - d(a_i, n_i) + margin).
/// Defaults: distance EUCLIDEAN, triplet_margin 5 (suited to unnormalised embeddings; use ~0.3 with COSINE).
/// </summary>
public sealed class TripletLoss : EmbeddingLoss
{
    public TripletLoss(
        SentenceTransformer? model,
        string distanceMetric = DistanceMetrics.Euclidean,
        double tripletMargin = 5.0)
        : base(nameof(TripletLoss), model)
    {
        DistanceMetric = DistanceMetrics.Parse(nameof(TripletLoss), distanceMetric, DistanceMetrics.Triplet);
        TripletMargin = tripletMargin;
    }

    public string DistanceMetric { get; }

    public double TripletMargin { get; }

    public override IReadOnlyDictionary<string, object?> Config => new Dictionary<string, object?>
    {
        ["distance_metric"] = $"TripletDistanceMetric.{DistanceMetric}",
        ["triplet_margin"] = TripletMargin,
    };

    public override Tensor ComputeFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels)
    {
        RequireColumns(embeddings.Count, 3, 3, "anchor, positive, negative");
        using var scope = NewDisposeScope();
        Tensor positive = DistanceMetrics.TripletDistance(DistanceMetric, embeddings[0], embeddings[1]);
        Tensor negative = DistanceMetrics.TripletDistance(DistanceMetric, embeddings[0], embeddings[2]);
        return nn.functional.relu(positive - negative + TripletMargin).mean().MoveToOuterDisposeScope();
    }
}
