using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// GradCache (Gao et al. 2021) for embedding losses, so the batch size no longer bounds memory:
/// 1. embed every column in mini-batches without autograd, keeping the embeddings as leaf tensors;
/// 2. compute the loss on the full batch of cached embeddings and back-propagate it to those leaves only;
/// 3. embed each mini-batch again with autograd (same dropout masks) and back-propagate
///    sum(embedding * cached_gradient), which yields exactly the parameter gradients of the full-batch loss.
/// </summary>
/// <remarks>
/// Step 3 needs a backward pass per mini-batch, so <see cref="Compute"/> does its own backward and returns a detached
/// loss (<see cref="SentenceLoss.PerformsOwnBackward"/> is true). Under no_grad (evaluation) it only computes the
/// value. Incompatible with gradient checkpointing: both re-run forward passes and restore the random state.
/// </remarks>
public abstract class CachedEmbeddingLoss : SentenceLoss
{
    protected CachedEmbeddingLoss(string name, SentenceTransformer? model, int miniBatchSize) : base(name, model)
    {
        if (miniBatchSize < 1)
        {
            throw new ArgumentException($"{name}: mini_batch_size must be at least 1; got {miniBatchSize}. " +
                                        "Fix: use the largest size that fits in memory, e.g. 32.");
        }

        MiniBatchSize = miniBatchSize;
    }

    /// <summary>Rows per forward pass; changes memory use and speed, not the loss or its gradients.</summary>
    public int MiniBatchSize { get; }

    public override bool PerformsOwnBackward => true;

    internal CachedLossDecorator? Decorator { get; set; }

    /// <summary>
    /// The loss value on precomputed embeddings (what the full-batch, non-cached loss returns); with autograd on,
    /// the result has a graph back to <paramref name="embeddings"/>.
    /// </summary>
    public Tensor ComputeFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels)
    {
        CheckColumns(embeddings.Count);
        return Decorated(embeddings, labels, withBackward: false);
    }

    /// <summary>
    /// The loss on cached embeddings; with <paramref name="withBackward"/>, it back-propagates to them.
    /// </summary>
    protected abstract Tensor LossFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels, bool withBackward);

    /// <summary>Throws a clear error when the column count does not fit the loss.</summary>
    protected abstract void CheckColumns(int count);

    internal Tensor Undecorated(IReadOnlyList<Tensor> embeddings, Tensor? labels, bool withBackward) =>
        LossFromEmbeddings(embeddings, labels, withBackward);

    public override Tensor Compute(IReadOnlyList<Features> inputs, Tensor? labels)
    {
        CheckColumns(inputs.Count);
        bool withGrad = is_grad_enabled();
        using var scope = NewDisposeScope();
        var cached = new List<List<Tensor>>();
        var states = new List<List<RngSnapshot>>();
        try
        {
            using (no_grad())
            {
                foreach (Features column in inputs)
                {
                    var leaves = new List<Tensor>();
                    var columnStates = new List<RngSnapshot>();
                    foreach ((long start, long length) in Ranges(column))
                    {
                        using var step = NewDisposeScope();
                        if (withGrad) columnStates.Add(RngSnapshot.Capture(Model.Device));
                        Tensor embedding = EmbedRows(column, start, length);
                        leaves.Add(embedding.detach().requires_grad_(withGrad).MoveToOuterDisposeScope());
                    }

                    cached.Add(leaves);
                    states.Add(columnStates);
                }
            }

            var embeddings = cached.Select(l => l.Count == 1 ? l[0] : cat(l.ToArray(), 0)).ToList();
            if (!withGrad) return Decorated(embeddings, labels, withBackward: false).MoveToOuterDisposeScope();

            Tensor loss = Decorated(embeddings, labels, withBackward: true).detach();
            for (int c = 0; c < inputs.Count; c++)
            {
                int index = 0;
                foreach ((long start, long length) in Ranges(inputs[c]))
                {
                    using var step = NewDisposeScope();
                    Tensor leaf = cached[c][index];
                    Tensor gradient = leaf.grad ?? throw new InvalidOperationException(
                        $"{GetName()}: input column {c} received no gradient from the loss. Fix: drop that column " +
                        "from the dataset.");
                    states[c][index].Restore();
                    Tensor embedding = EmbedRows(inputs[c], start, length);
                    Tensor surrogate = (embedding * gradient).sum();
                    if (BackwardScale != 1.0) surrogate = surrogate * BackwardScale;
                    surrogate.backward();
                    index++;
                }
            }

            return loss.MoveToOuterDisposeScope();
        }
        finally
        {
            foreach (RngSnapshot state in states.SelectMany(s => s)) state.Dispose();
        }
    }

    private Tensor Decorated(IReadOnlyList<Tensor> embeddings, Tensor? labels, bool withBackward) =>
        Decorator is null
            ? LossFromEmbeddings(embeddings, labels, withBackward)
            : Decorator(embeddings, labels, withBackward, LossFromEmbeddings);

    private IEnumerable<(long Start, long Length)> Ranges(Features column)
    {
        long rows = column.BatchSize;
        for (long start = 0; start < rows; start += MiniBatchSize)
        {
            yield return (start, Math.Min(MiniBatchSize, rows - start));
        }
    }

    /// <summary>
    /// Embeds rows [start, start + length) of a column, first cutting the padding columns that no row of this
    /// mini-batch uses (it is masked out anyway, so the embeddings do not change).
    /// </summary>
    private Tensor EmbedRows(Features column, long start, long length)
    {
        Features slice = column.Slice(start, length);
        if (slice.TryGetValue(Features.AttentionMask, out Tensor? mask) && mask.dim() == 2)
        {
            long width = mask.shape[1];
            long used = mask.sum(dim: 0).nonzero().max().item<long>() + 1;
            if (used < width)
            {
                foreach (string key in slice.Keys.ToList())
                {
                    Tensor value = slice[key];
                    if (value.dim() >= 2 && value.shape[1] == width) slice[key] = value.narrow(1, 0, used);
                }
            }
        }

        Features output = Model.forward(slice);
        return output.TryGetValue(Features.SentenceEmbedding, out Tensor? embedding)
            ? embedding
            : throw new InvalidOperationException(
                $"{GetName()}: the model's forward pass produced no 'sentence_embedding'. The model needs a Pooling " +
                "module (modules.json: Transformer -> Pooling).");
    }
}
