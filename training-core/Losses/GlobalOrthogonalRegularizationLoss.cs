using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Global orthogonal regularization (Zhang et al. 2017): pushes unrelated embeddings of a batch towards orthogonal,
/// uniformly spread directions. Per column, with S the similarity matrix without its diagonal and
/// M = B (B - 1): mean term (sum S / M)^2 and second-moment term relu(sum S^2 / M - 1 / d). The loss is
/// mean_weight * agg(mean terms) + second_moment_weight * agg(second-moment terms), agg = mean (or sum) over
/// columns. Labels are ignored. Defaults: cosine, both weights 1, aggregation mean.
/// </summary>
public sealed class GlobalOrthogonalRegularizationLoss : EmbeddingLoss
{
    public GlobalOrthogonalRegularizationLoss(
        SentenceTransformer? model,
        string similarityFunction = SimilarityFunctions.Cosine,
        double meanWeight = 1.0,
        double secondMomentWeight = 1.0,
        string aggregation = "mean")
        : base(nameof(GlobalOrthogonalRegularizationLoss), model)
    {
        if (meanWeight == 0 && secondMomentWeight == 0)
        {
            throw new ArgumentException("GlobalOrthogonalRegularizationLoss: mean_weight and second_moment_weight " +
                                        "are both 0, so the loss is always 0. Fix: set at least one of them.");
        }

        if (aggregation is not ("mean" or "sum"))
        {
            throw new ArgumentException($"GlobalOrthogonalRegularizationLoss: aggregation must be mean or sum; got " +
                                        $"'{aggregation}'.");
        }

        SimilarityFunction = SimilarityFunctions.Canonical(similarityFunction);
        MeanWeight = meanWeight;
        SecondMomentWeight = secondMomentWeight;
        Aggregation = aggregation;
    }

    public string SimilarityFunction { get; }

    public double MeanWeight { get; }

    public double SecondMomentWeight { get; }

    public string Aggregation { get; }

    public override IReadOnlyDictionary<string, object?> Config => new Dictionary<string, object?>
    {
        ["similarity_fct"] = SimilarityFunction,
        ["mean_weight"] = MeanWeight,
        ["second_moment_weight"] = SecondMomentWeight,
        ["aggregation"] = Aggregation,
    };

    public override Tensor ComputeFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels)
    {
        RequireColumns(embeddings.Count, 1, null, "one or more text columns");
        using var scope = NewDisposeScope();
        var means = new List<Tensor>();
        var moments = new List<Tensor>();
        foreach (Tensor e in embeddings)
        {
            long batch = e.shape[0], dim = e.shape[1];
            if (batch < 2)
            {
                throw new ArgumentException("GlobalOrthogonalRegularizationLoss needs at least 2 rows per batch.");
            }

            Tensor offDiagonal = eye(batch, dtype: ScalarType.Bool, device: e.device).logical_not();
            Tensor s = SimilarityFunctions.Matrix(SimilarityFunction, e, e).masked_fill(offDiagonal.logical_not(), 0);
            double pairs = batch * (batch - 1);
            means.Add((s.sum() / pairs).pow(2));
            moments.Add(nn.functional.relu(s.pow(2).sum() / pairs - 1.0 / dim));
        }

        Tensor Aggregate(List<Tensor> terms) =>
            Aggregation == "sum" ? stack(terms.ToArray()).sum() : stack(terms.ToArray()).mean();

        Tensor total = zeros(1, dtype: embeddings[0].dtype, device: embeddings[0].device).squeeze();
        if (MeanWeight != 0) total = total + MeanWeight * Aggregate(means);
        if (SecondMomentWeight != 0) total = total + SecondMomentWeight * Aggregate(moments);
        return total.MoveToOuterDisposeScope();
    }
}
