using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Matryoshka representation learning (Kusupati et al. 2022): applies an inner loss to the embeddings truncated to
/// each of matryoshka_dims (first d components, re-normalised to unit length) and sums the results:
/// loss = sum_k w_k * inner(normalize(e[:, :d_k])). Weights default to 1; n_dims_per_step &gt; 0 samples that
/// many dimensions per step. Label vectors as wide as the embedding (MSELoss teacher vectors) are truncated to d_k,
/// not re-normalised, as in sentence-transformers.
/// </summary>
/// <remarks>
/// Works with any <see cref="EmbeddingLoss"/> (the model runs once per step; only the loss is repeated per
/// dimension) and with cached losses, whose cached embeddings it truncates before the gradient caching step.
/// </remarks>
public sealed class MatryoshkaLoss : EmbeddingLoss
{
    private readonly (int Dim, double Weight)[] dimensions;

    public MatryoshkaLoss(
        SentenceTransformer? model,
        SentenceLoss loss,
        IReadOnlyList<int> matryoshkaDims,
        IReadOnlyList<double>? matryoshkaWeights = null,
        int nDimsPerStep = -1)
        : base(nameof(MatryoshkaLoss), model)
    {
        Inner = loss ?? throw new ArgumentNullException(nameof(loss));
        if (Inner is not EmbeddingLoss and not CachedEmbeddingLoss)
        {
            throw new ArgumentException($"MatryoshkaLoss: the inner loss {Inner.GetName()} does not work on " +
                                        "sentence embeddings, so it cannot be truncated. Fix: wrap an embedding " +
                                        "loss such as MultipleNegativesRankingLoss or CoSENTLoss.");
        }

        if (matryoshkaDims.Count == 0)
        {
            throw new ArgumentException("MatryoshkaLoss: matryoshka_dims is empty. Fix: list the dimensions to " +
                                        "train, largest first, e.g. [384, 256, 128, 64].");
        }

        if (matryoshkaDims.Any(d => d <= 0))
        {
            throw new ArgumentException($"MatryoshkaLoss: every entry of matryoshka_dims must be positive; got " +
                                        $"[{string.Join(", ", matryoshkaDims)}].");
        }

        IReadOnlyList<double> weights = matryoshkaWeights is null || matryoshkaWeights.Count == 0
            ? matryoshkaDims.Select(_ => 1.0).ToList()
            : matryoshkaWeights;
        if (weights.Count != matryoshkaDims.Count)
        {
            throw new ArgumentException($"MatryoshkaLoss: matryoshka_weights has {weights.Count} entries but " +
                                        $"matryoshka_dims has {matryoshkaDims.Count}. Fix: give one weight per " +
                                        "dimension or leave the weights unset.");
        }

        if (model is not null && matryoshkaDims.Max() > model.EmbeddingDimension)
        {
            throw new ArgumentException($"MatryoshkaLoss: matryoshka_dims [{string.Join(", ", matryoshkaDims)}] " +
                                        $"exceed the model's embedding dimension {model.EmbeddingDimension}. " +
                                        $"Fix: use dimensions up to {model.EmbeddingDimension}.");
        }

        dimensions = matryoshkaDims.Zip(weights).OrderByDescending(p => p.First).ToArray();
        NDimsPerStep = nDimsPerStep;
        register_module("loss", Inner);
        if (Inner is CachedEmbeddingLoss cached)
        {
            if (cached.Decorator is not null)
            {
                throw new ArgumentException($"MatryoshkaLoss: {cached.GetName()} is already wrapped by another " +
                                            "Matryoshka loss.");
            }

            cached.Decorator = DecorateCached;
        }
    }

    /// <summary>The wrapped loss.</summary>
    public SentenceLoss Inner { get; }

    /// <summary>The dimensions, largest first.</summary>
    public IReadOnlyList<int> MatryoshkaDims => dimensions.Select(d => d.Dim).ToList();

    /// <summary>The weights, in the order of <see cref="MatryoshkaDims"/>.</summary>
    public IReadOnlyList<double> MatryoshkaWeights => dimensions.Select(d => d.Weight).ToList();

    public int NDimsPerStep { get; }

    public override bool PerformsOwnBackward => Inner.PerformsOwnBackward;

    public override double BackwardScale
    {
        get => Inner.BackwardScale;
        set => Inner.BackwardScale = value;
    }

    public override IReadOnlyDictionary<string, object?> Config => new Dictionary<string, object?>
    {
        ["loss"] = Inner.GetName(),
        ["matryoshka_dims"] = MatryoshkaDims.ToArray(),
        ["matryoshka_weights"] = MatryoshkaWeights.ToArray(),
        ["n_dims_per_step"] = NDimsPerStep,
    };

    public override Tensor Compute(IReadOnlyList<Features> inputs, Tensor? labels) => Inner switch
    {
        CachedEmbeddingLoss cached => cached.Compute(inputs, labels),
        EmbeddingLoss embedding => ComputeFromEmbeddings(embedding.Embed(inputs), labels),
        _ => throw new InvalidOperationException("unreachable: checked in the constructor"),
    };

    public override Tensor ComputeFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels)
    {
        Func<IReadOnlyList<Tensor>, Tensor?, Tensor> inner = Inner switch
        {
            CachedEmbeddingLoss cached => (e, l) => cached.Undecorated(e, l, false),
            EmbeddingLoss embedding => embedding.ComputeFromEmbeddings,
            _ => throw new InvalidOperationException("unreachable: checked in the constructor"),
        };
        long full = embeddings[0].shape[^1];
        CheckDims(full);
        Tensor? total = null;
        foreach ((int dim, double weight) in Selected())
        {
            var truncated = embeddings.Select(e => Shrink(e, dim)).ToList();
            Tensor? dimLabels = labels is not null && labels.dim() >= 2 && labels.shape[^1] == full
                ? labels.narrow(-1, 0, dim)
                : labels;
            Tensor part = inner(truncated, dimLabels) * weight;
            total = total is null ? part : total + part;
        }

        return total!;
    }

    /// <summary>
    /// The cached-loss path: for each dimension, the inner loss runs on detached truncated copies (back-propagating
    /// into them), and their gradients, times the weight, flow back through the truncation to the cached embeddings.
    /// </summary>
    private Tensor DecorateCached(
        IReadOnlyList<Tensor> embeddings,
        Tensor? labels,
        bool withBackward,
        Func<IReadOnlyList<Tensor>, Tensor?, bool, Tensor> inner)
    {
        CheckDims(embeddings[0].shape[^1]);
        Tensor? total = null;
        foreach ((int dim, double weight) in Selected())
        {
            var truncated = embeddings.Select(e => Shrink(e, dim)).ToList();
            var leaves = withBackward ? truncated.Select(t => t.detach().requires_grad_(true)).ToList() : truncated;
            Tensor part = inner(leaves, labels, withBackward) * weight;
            if (withBackward)
            {
                for (int c = 0; c < truncated.Count; c++)
                {
                    if (leaves[c].grad is Tensor gradient) truncated[c].backward([gradient * weight]);
                }

                part = part.detach();
            }

            total = total is null ? part : total + part;
        }

        return total!;
    }

    private void CheckDims(long full)
    {
        if (dimensions[0].Dim > full)
        {
            throw new ArgumentException($"MatryoshkaLoss: dimension {dimensions[0].Dim} in matryoshka_dims is larger " +
                                        $"than the embedding dimension {full}.");
        }
    }

    private IEnumerable<(int Dim, double Weight)> Selected()
    {
        if (NDimsPerStep <= 0 || NDimsPerStep >= dimensions.Length) return dimensions;
        using Tensor order = randperm(dimensions.Length);
        long[] picked = order.data<long>().Take(NDimsPerStep).Order().ToArray();
        return picked.Select(i => dimensions[i]).ToList();
    }

    private static Tensor Shrink(Tensor embedding, int dim) =>
        SimilarityFunctions.Normalize(embedding.narrow(-1, 0, dim));
}
