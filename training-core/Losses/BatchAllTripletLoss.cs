using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Batch-all triplet loss (Hermans et al. 2017): every valid in-batch triplet (a, p, n) with distinct rows,
/// label_a = label_p != label_n, contributes relu(d(a,p) - d(a,n) + margin); the sum is divided by the number of
/// triplets with a positive loss. Defaults: euclidean_distance, margin 5.
/// </summary>
public sealed class BatchAllTripletLoss : BatchTripletLoss
{
    public BatchAllTripletLoss(SentenceTransformer? model,
        string distanceMetric = BatchTripletDistances.EuclideanDistance, double margin = 5.0)
        : base(nameof(BatchAllTripletLoss), model, distanceMetric, margin)
    {
    }

    protected override Tensor FromDistances(Tensor distances, Tensor labels)
    {
        using var scope = NewDisposeScope();
        Tensor anchorPositive = distances.unsqueeze(2);
        Tensor anchorNegative = distances.unsqueeze(1);
        Tensor valid = BatchTripletDistances.PositiveMask(labels).unsqueeze(2)
            .logical_and(BatchTripletDistances.NegativeMask(labels).unsqueeze(1));
        Tensor losses = nn.functional.relu((anchorPositive - anchorNegative + Margin) * valid.to_type(distances.dtype));
        Tensor active = losses.gt(1e-16).sum().to_type(distances.dtype);
        return (losses.sum() / (active + 1e-16)).MoveToOuterDisposeScope();
    }
}
