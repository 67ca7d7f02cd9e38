using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// The similarity functions sentence-transformers knows by name: "cosine", "dot" (alias "dot_product"),
/// "euclidean" and "manhattan". Distances are negated so that for every function a higher value means "more
/// similar", which lets ranking losses and evaluators treat them alike.
/// Matrix forms take a [N, D] and b [M, D] and return [N, M]; pairwise forms take two [N, D] and return [N].
/// </summary>
public static class SimilarityFunctions
{
    public const string Cosine = "cosine";
    public const string Dot = "dot";
    public const string Euclidean = "euclidean";
    public const string Manhattan = "manhattan";

    /// <summary>The canonical names, in the order they are usually listed.</summary>
    public static IReadOnlyList<string> Names { get; } = [Cosine, Dot, Euclidean, Manhattan];

    /// <summary>Maps a name (any case; aliases such as "dot_product", "cos_sim") to its canonical name.</summary>
    public static string Canonical(string name)
    {
        string key = (name ?? string.Empty).Trim().ToLowerInvariant();
        return key switch
        {
            "cosine" or "cos" or "cos_sim" or "cosine_similarity" => Cosine,
            "dot" or "dot_product" or "dot_score" => Dot,
            "euclidean" or "euclidean_sim" => Euclidean,
            "manhattan" or "manhattan_sim" => Manhattan,
            _ => throw new ArgumentException(
                $"Unknown similarity function '{name}'. Use one of: {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    /// <summary>True when <paramref name="name"/> is a known similarity function name or alias.</summary>
    public static bool IsKnown(string? name)
    {
        if (name is null) return false;
        try
        {
            Canonical(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The [N, M] similarity matrix of the named function.</summary>
    public static Tensor Matrix(string name, Tensor a, Tensor b) => Canonical(name) switch
    {
        Cosine => CosineMatrix(a, b),
        Dot => DotMatrix(a, b),
        Euclidean => EuclideanMatrix(a, b),
        _ => ManhattanMatrix(a, b),
    };

    /// <summary>The [N] row-by-row similarity of the named function.</summary>
    public static Tensor Pairwise(string name, Tensor a, Tensor b) => Canonical(name) switch
    {
        Cosine => CosinePairwise(a, b),
        Dot => DotPairwise(a, b),
        Euclidean => EuclideanPairwise(a, b),
        _ => ManhattanPairwise(a, b),
    };

    /// <summary>Scales every row to unit L2 length: x / max(||x||, 1e-12), as torch's F.normalize does.</summary>
    public static Tensor Normalize(Tensor x) => nn.functional.normalize(x, p: 2.0, dim: -1);

    /// <summary>cos(a_i, b_j) = (a_i / |a_i|) · (b_j / |b_j|).</summary>
    public static Tensor CosineMatrix(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return Normalize(As2D(a)).mm(Normalize(As2D(b)).t()).MoveToOuterDisposeScope();
    }

    /// <summary>a_i · b_j.</summary>
    public static Tensor DotMatrix(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return As2D(a).mm(As2D(b).t()).MoveToOuterDisposeScope();
    }

    /// <summary>-||a_i - b_j||_2.</summary>
    public static Tensor EuclideanMatrix(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return cdist(As2D(a), As2D(b), p: 2.0).neg().MoveToOuterDisposeScope();
    }

    /// <summary>-||a_i - b_j||_1.</summary>
    public static Tensor ManhattanMatrix(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return cdist(As2D(a), As2D(b), p: 1.0).neg().MoveToOuterDisposeScope();
    }

    /// <summary>cos(a_i, b_i).</summary>
    public static Tensor CosinePairwise(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (Normalize(a) * Normalize(b)).sum(-1).MoveToOuterDisposeScope();
    }

    /// <summary>a_i · b_i.</summary>
    public static Tensor DotPairwise(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a * b).sum(-1).MoveToOuterDisposeScope();
    }

    /// <summary>-sqrt(sum_d (a_id - b_id)^2).</summary>
    public static Tensor EuclideanPairwise(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a - b).pow(2).sum(-1).sqrt().neg().MoveToOuterDisposeScope();
    }

    /// <summary>-sum_d |a_id - b_id|.</summary>
    public static Tensor ManhattanPairwise(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a - b).abs().sum(-1).neg().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// AnglE's angle similarity: each vector is split in halves read as the real and imaginary parts of a complex
    /// vector, z = a / b element-wise (complex division), scaled by |b| / |a|; the score is |sum(Re z) + sum(Im z)|.
    /// Odd dimensions are padded with one zero so the halves line up.
    /// </summary>
    public static Tensor AnglePairwise(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        if (x.shape[1] % 2 != 0)
        {
            x = nn.functional.pad(x, [0, 1]);
            y = nn.functional.pad(y, [0, 1]);
        }

        long half = x.shape[1] / 2;
        Tensor a = x.narrow(1, 0, half), b = x.narrow(1, half, half);
        Tensor c = y.narrow(1, 0, half), d = y.narrow(1, half, half);
        Tensor z = (c.pow(2) + d.pow(2)).sum(1, keepdim: true);
        Tensor re = (a * c + b * d) / z;
        Tensor im = (b * c - a * d) / z;
        Tensor dz = (a.pow(2) + b.pow(2)).sum(1, keepdim: true).sqrt();
        Tensor dw = (c.pow(2) + d.pow(2)).sum(1, keepdim: true).sqrt();
        re = re / (dz / dw);
        im = im / (dz / dw);
        return cat([re, im], 1).sum(1).abs().MoveToOuterDisposeScope();
    }

    private static Tensor As2D(Tensor t) => t.dim() == 1 ? t.unsqueeze(0) : t;
}
