using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Batch-hard triplet loss (Hermans et al. 2017): per anchor, its farthest same-label row against its closest
/// other-label row: loss = mean_a relu(max_p d(a,p) - min_n d(a,n) + margin). Defaults: euclidean_distance,
/// margin 5.
/// </summary>
public sealed class BatchHardTripletLoss : BatchTripletLoss
{
    public BatchHardTripletLoss(SentenceTransformer? model,
        string distanceMetric = BatchTripletDistances.EuclideanDistance, double margin = 5.0)
        : base(nameof(BatchHardTripletLoss), model, distanceMetric, margin)
    {
    }

    protected override Tensor FromDistances(Tensor distances, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var (positive, negative) = BatchTripletDistances.Hardest(distances, labels);
        return nn.functional.relu(positive - negative + Margin).mean().MoveToOuterDisposeScope();
    }
}
