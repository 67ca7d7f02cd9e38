using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Batch semi-hard triplet loss (Schroff et al. 2015): for each positive pair (a, p) the negative is the closest
/// other-label row that is still farther than p, min {d(a,n) : d(a,n) &gt; d(a,p)}; when there is none, the
/// farthest negative. loss = sum_{(a,p)} relu(d(a,p) - d(a,n*) + margin) / number of positive pairs.
/// Defaults: euclidean_distance, margin 5.
/// </summary>
public sealed class BatchSemiHardTripletLoss : BatchTripletLoss
{
    public BatchSemiHardTripletLoss(SentenceTransformer? model,
        string distanceMetric = BatchTripletDistances.EuclideanDistance, double margin = 5.0)
        : base(nameof(BatchSemiHardTripletLoss), model, distanceMetric, margin)
    {
    }

    protected override Tensor FromDistances(Tensor distances, Tensor labels)
    {
        using var scope = NewDisposeScope();
        Tensor negatives = BatchTripletDistances.NegativeMask(labels);
        // candidates[a, p, n]: n is a negative of a and farther from a than p is.
        Tensor candidates = negatives.unsqueeze(1).logical_and(distances.unsqueeze(1).gt(distances.unsqueeze(2)));
        Tensor hasOutside = candidates.any(2);
        // Masked minimum / maximum: shift by the row extreme so masked-out entries cannot win.
        Tensor rowMax = distances.max(1, keepdim: true).values;
        Tensor rowMin = distances.min(1, keepdim: true).values;
        Tensor outside = ((distances.unsqueeze(1) - rowMax.unsqueeze(2)) * candidates.to_type(distances.dtype))
            .min(2).values + rowMax;
        Tensor inside = ((distances - rowMin) * negatives.to_type(distances.dtype)).max(1, keepdim: true).values
                        + rowMin;
        Tensor semiHard = where(hasOutside, outside, inside.expand_as(distances));
        Tensor positives = BatchTripletDistances.PositiveMask(labels).to_type(distances.dtype);
        Tensor losses = nn.functional.relu((distances - semiHard + Margin) * positives);
        return (losses.sum() / positives.sum().clamp_min(1e-16)).MoveToOuterDisposeScope();
    }
}
