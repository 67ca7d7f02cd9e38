using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Pairwise distance matrices and label masks for the batch triplet losses (single column of texts with class
/// labels; triplets are formed inside the batch). Distance names follow BatchHardTripletLossDistanceFunction:
/// "euclidean_distance" (default) and "cosine_distance" (1 - cosine).
/// </summary>
internal static class BatchTripletDistances
{
    public const string EuclideanDistance = "euclidean_distance";
    public const string CosineDistance = "cosine_distance";

    public static readonly IReadOnlyList<string> Names = [EuclideanDistance, CosineDistance];

    /// <summary>Canonical name; accepts a "BatchHardTripletLossDistanceFunction." prefix, "euclidean".</summary>
    public static string Parse(string owner, string value)
    {
        string key = value.Trim();
        int dot = key.LastIndexOf('.');
        if (dot >= 0) key = key[(dot + 1)..];
        key = key.ToLowerInvariant() switch
        {
            "euclidean" or "euclidean_distance" or "eucledian_distance" => EuclideanDistance,
            "cosine" or "cosine_distance" => CosineDistance,
            _ => throw new ArgumentException($"{owner}: unknown distance_metric '{value}'. " +
                                             $"Fix: use {EuclideanDistance} or {CosineDistance}."),
        };
        return key;
    }

    /// <summary>
    /// [B, B] distances. Euclidean goes through |a|^2 - 2 a·b + |b|^2, clamped at 0, with the square root taken only
    /// of non-zero entries so the gradient stays finite on the diagonal.
    /// </summary>
    public static Tensor Matrix(string metric, Tensor embeddings)
    {
        using var scope = NewDisposeScope();
        if (metric == CosineDistance)
        {
            return (1 - SimilarityFunctions.CosineMatrix(embeddings, embeddings)).MoveToOuterDisposeScope();
        }

        Tensor dot = embeddings.mm(embeddings.t());
        Tensor square = dot.diagonal();
        Tensor distances = (square.unsqueeze(0) - 2.0 * dot + square.unsqueeze(1)).clamp_min(0.0);
        Tensor zero = distances.eq(0).to_type(distances.dtype);
        distances = (1.0 - zero) * (distances + zero * 1e-16).sqrt();
        return distances.MoveToOuterDisposeScope();
    }

    /// <summary>[B, B] true where i != j and label_i == label_j.</summary>
    public static Tensor PositiveMask(Tensor labels)
    {
        using var scope = NewDisposeScope();
        Tensor same = labels.unsqueeze(0).eq(labels.unsqueeze(1));
        Tensor notSelf = eye(labels.shape[0], dtype: ScalarType.Bool, device: labels.device).logical_not();
        return same.logical_and(notSelf).MoveToOuterDisposeScope();
    }

    /// <summary>[B, B] true where label_i != label_j.</summary>
    public static Tensor NegativeMask(Tensor labels) => labels.unsqueeze(0).ne(labels.unsqueeze(1));

    /// <summary>
    /// Hardest positive (largest distance to a same-label row, 0 if none) and hardest negative (smallest distance
    /// to another-label row) per anchor, both [B, 1].
    /// </summary>
    public static (Tensor HardestPositive, Tensor HardestNegative) Hardest(Tensor distances, Tensor labels)
    {
        using var scope = NewDisposeScope();
        Tensor positive = (PositiveMask(labels).to_type(distances.dtype) * distances).max(1, keepdim: true).values;
        Tensor notNegative = 1.0 - NegativeMask(labels).to_type(distances.dtype);
        Tensor rowMax = distances.max(1, keepdim: true).values;
        // Non-negatives are pushed up by the row maximum so they never win the minimum.
        Tensor negative = (distances + rowMax * notNegative).min(1, keepdim: true).values;
        return (positive.MoveToOuterDisposeScope(), negative.MoveToOuterDisposeScope());
    }
}
