using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Batch-hard triplet loss with a soft margin: mean_a log(1 + exp(max_p d(a,p) - min_n d(a,n))), no margin
/// parameter. Default distance: euclidean_distance.
/// </summary>
public sealed class BatchHardSoftMarginTripletLoss : BatchTripletLoss
{
    public BatchHardSoftMarginTripletLoss(SentenceTransformer? model,
        string distanceMetric = BatchTripletDistances.EuclideanDistance)
        : base(nameof(BatchHardSoftMarginTripletLoss), model, distanceMetric, 0.0)
    {
    }

    public override IReadOnlyDictionary<string, object?> Config =>
        new Dictionary<string, object?> { ["distance_metric"] = DistanceMetric };

    protected override Tensor FromDistances(Tensor distances, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var (positive, negative) = BatchTripletDistances.Hardest(distances, labels);
        return (positive - negative).exp().log1p().mean().MoveToOuterDisposeScope();
    }
}
