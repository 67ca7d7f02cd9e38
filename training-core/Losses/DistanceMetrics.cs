using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// The row-wise distances the contrastive and triplet losses use, by the names sentence-transformers gives them
/// (SiameseDistanceMetric.COSINE_DISTANCE / EUCLIDEAN / MANHATTAN and TripletDistanceMetric.COSINE / EUCLIDEAN /
/// MANHATTAN; the enum prefix and case are optional).
/// </summary>
internal static class DistanceMetrics
{
    public const string CosineDistance = "COSINE_DISTANCE";
    public const string Cosine = "COSINE";
    public const string Euclidean = "EUCLIDEAN";
    public const string Manhattan = "MANHATTAN";

    public static readonly IReadOnlyList<string> Siamese = [CosineDistance, Euclidean, Manhattan];
    public static readonly IReadOnlyList<string> Triplet = [Cosine, Euclidean, Manhattan];

    /// <summary>
    /// Canonical upper-case name; accepts "SiameseDistanceMetric.X", "TripletDistanceMetric.X", any case.
    /// </summary>
    public static string Parse(string owner, string value, IReadOnlyList<string> allowed)
    {
        string key = value.Trim();
        int dot = key.LastIndexOf('.');
        if (dot >= 0) key = key[(dot + 1)..];
        key = key.ToUpperInvariant();
        if (key == "COSINE" && allowed.Contains(CosineDistance)) key = CosineDistance;
        if (key == "COSINE_DISTANCE" && allowed.Contains(Cosine)) key = Cosine;
        if (!allowed.Contains(key))
        {
            throw new ArgumentException($"{owner}: unknown distance_metric '{value}'. " +
                                        $"Fix: use one of {string.Join(", ", allowed)}.");
        }

        return key;
    }

    /// <summary>
    /// Siamese (contrastive) distances: 1 - cos(x, y), or torch's pairwise_distance, which measures
    /// ||x - y + 1e-6||_p (the epsilon keeps the gradient finite for identical vectors).
    /// </summary>
    public static Tensor SiameseDistance(string metric, Tensor x, Tensor y) => metric switch
    {
        CosineDistance => 1 - nn.functional.cosine_similarity(x, y, dim: 1),
        Euclidean => nn.functional.pairwise_distance(x, y, p: 2.0),
        _ => nn.functional.pairwise_distance(x, y, p: 1.0),
    };

    /// <summary>Triplet distances: 1 - cos(x, y), ||x - y||_2, ||x - y||_1 (no epsilon).</summary>
    public static Tensor TripletDistance(string metric, Tensor x, Tensor y) => metric switch
    {
        Cosine => 1 - SimilarityFunctions.CosinePairwise(x, y),
        Euclidean => SimilarityFunctions.EuclideanPairwise(x, y).neg(),
        _ => SimilarityFunctions.ManhattanPairwise(x, y).neg(),
    };
}
