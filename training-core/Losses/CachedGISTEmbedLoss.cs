using System.Runtime.CompilerServices;
using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// GISTEmbedLoss with GradCache (see <see cref="CachedEmbeddingLoss"/>): the same guided in-batch negatives
/// objective with memory bounded by mini_batch_size. For each anchor i the candidates are all positives, optionally
/// the other anchors and positives, and every negative column; a candidate the frozen guide scores above the guide's
/// sim(anchor_i, positive_i) - margin (relative: minus |that similarity| * margin) is masked out, except the true
/// positive. loss = CE(cos(...) / temperature, target i), evaluated in chunks of mini_batch_size anchors weighted by
/// chunk / batch. Defaults: temperature 0.01, mini_batch_size 32, margin_strategy absolute, margin 0, both contrasts.
/// </summary>
/// <remarks>
/// The guide embeds every column once per step in mini-batches without autograd; its embeddings are not truncated
/// when MatryoshkaLoss wraps this loss, as in sentence-transformers.
/// </remarks>
public sealed class CachedGISTEmbedLoss : CachedEmbeddingLoss
{
    // Boxed so that TorchSharp never registers the guide as a submodule (see SentenceLoss): its weights stay frozen
    // even when MatryoshkaLoss registers this loss as its child.
    private readonly StrongBox<SentenceTransformer?> guide;
    private readonly bool ownsGuide;
    private readonly GuideFilter filter;
    private readonly GuideEmbedder guideEmbedder = new();
    private IReadOnlyList<Tensor>? guideBatch;

    public CachedGISTEmbedLoss(
        SentenceTransformer? model,
        SentenceTransformer? guide,
        double temperature = 0.01,
        int miniBatchSize = 32,
        string marginStrategy = "absolute",
        double margin = 0.0,
        bool contrastAnchors = true,
        bool contrastPositives = true,
        bool ownsGuide = false)
        : base(nameof(CachedGISTEmbedLoss), model, miniBatchSize)
    {
        filter = new GuideFilter(nameof(CachedGISTEmbedLoss), temperature, marginStrategy, margin, contrastAnchors,
            contrastPositives);
        this.guide = new StrongBox<SentenceTransformer?>(guide);
        this.ownsGuide = ownsGuide;
    }

    /// <summary>The frozen guide model (not a submodule, so the optimizer never sees its weights).</summary>
    public SentenceTransformer? Guide => guide.Value;

    public double Temperature => filter.Temperature;

    public string MarginStrategy => filter.MarginStrategy;

    public double Margin => filter.Margin;

    public bool ContrastAnchors => filter.ContrastAnchors;

    public bool ContrastPositives => filter.ContrastPositives;

    public override IReadOnlyDictionary<string, object?> Config => filter.Config(Guide?.Source, MiniBatchSize);

    public override Tensor Compute(IReadOnlyList<Features> inputs, Tensor? labels)
    {
        CheckColumns(inputs.Count);
        SentenceTransformer guide = GuideEmbedder.Require(Guide, nameof(CachedGISTEmbedLoss));
        using var scope = NewDisposeScope();
        guideBatch = inputs.Select(column => EmbedWithGuide(guide, column)).ToList();
        try
        {
            return base.Compute(inputs, labels).MoveToOuterDisposeScope();
        }
        finally
        {
            guideBatch = null;
        }
    }

    /// <summary>
    /// The loss value from the model's and the guide's embeddings of the same columns (with a graph back to
    /// <paramref name="embeddings"/> when autograd is on).
    /// </summary>
    public Tensor ComputeFromEmbeddings(IReadOnlyList<Tensor> embeddings, IReadOnlyList<Tensor> guideEmbeddings)
    {
        guideBatch = guideEmbeddings;
        try
        {
            return ComputeFromEmbeddings(embeddings, (Tensor?)null);
        }
        finally
        {
            guideBatch = null;
        }
    }

    protected override void CheckColumns(int count) =>
        RequireColumns(count, 2, null, "anchor, positive, optional negatives");

    protected override Tensor LossFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels, bool withBackward)
    {
        IReadOnlyList<Tensor> guided = guideBatch ?? throw new InvalidOperationException(
            "CachedGISTEmbedLoss needs the guide's embeddings of the batch. Fix: call Compute, or " +
            "ComputeFromEmbeddings with the guide embeddings.");
        if (guided.Count != embeddings.Count)
        {
            throw new ArgumentException($"CachedGISTEmbedLoss: {embeddings.Count} embedding columns but " +
                                        $"{guided.Count} guide columns.");
        }

        long batch = embeddings[0].shape[0];
        Tensor? total = null;
        for (long begin = 0; begin < batch; begin += MiniBatchSize)
        {
            long end = Math.Min(begin + MiniBatchSize, batch);
            Tensor chunk = ChunkLoss(embeddings, guided, begin, end) * ((double)(end - begin) / batch);
            if (withBackward)
            {
                chunk.backward();
                chunk = chunk.detach();
            }

            total = total is null ? chunk : total + chunk;
        }

        return total!;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && ownsGuide) Guide?.Dispose();
        base.Dispose(disposing);
    }

    private Tensor EmbedWithGuide(SentenceTransformer guide, Features column)
    {
        var parts = new List<Tensor>();
        for (long start = 0; start < column.BatchSize; start += MiniBatchSize)
        {
            long length = Math.Min(MiniBatchSize, column.BatchSize - start);
            parts.Add(guideEmbedder.Embed(Model, guide, column.Slice(start, length)));
        }

        return parts.Count == 1 ? parts[0] : cat(parts.ToArray(), 0);
    }

    /// <summary>The cross-entropy of anchors [begin, end) against all candidates (mean over those anchors).</summary>
    private Tensor ChunkLoss(IReadOnlyList<Tensor> embeddings, IReadOnlyList<Tensor> guided, long begin, long end)
    {
        using var scope = NewDisposeScope();
        long rows = end - begin;
        Tensor anchors = embeddings[0].narrow(0, begin, rows), guideAnchors = guided[0].narrow(0, begin, rows);
        Tensor positives = embeddings[1], guidePositives = guided[1];
        Tensor guideAnchorPositive = SimilarityFunctions.CosineMatrix(guideAnchors, guidePositives);
        Tensor rowIndex = arange(rows, dtype: ScalarType.Int64, device: anchors.device);
        Tensor threshold = filter.Threshold(guideAnchorPositive.gather(1, (rowIndex + begin).view(-1, 1)));
        Tensor columnIndex = arange(positives.shape[0], dtype: ScalarType.Int64, device: anchors.device);
        Tensor truePositive = columnIndex.view(1, -1).eq((rowIndex + begin).view(-1, 1));

        Tensor Masked(Tensor similarity, Tensor guideSimilarity, Tensor? keep = null) =>
            GuideFilter.Mask(similarity, guideSimilarity, threshold, keep);

        var blocks = new List<Tensor>
        {
            Masked(SimilarityFunctions.CosineMatrix(anchors, positives), guideAnchorPositive, keep: truePositive),
        };
        if (ContrastAnchors)
        {
            blocks.Add(Masked(SimilarityFunctions.CosineMatrix(anchors, embeddings[0]),
                SimilarityFunctions.CosineMatrix(guideAnchors, guided[0])));
        }

        if (ContrastPositives)
        {
            blocks.Add(Masked(SimilarityFunctions.CosineMatrix(positives.narrow(0, begin, rows), positives),
                SimilarityFunctions.CosineMatrix(guidePositives.narrow(0, begin, rows), guidePositives)));
        }

        for (int n = 2; n < embeddings.Count; n++)
        {
            blocks.Add(Masked(SimilarityFunctions.CosineMatrix(anchors, embeddings[n]),
                SimilarityFunctions.CosineMatrix(guideAnchors, guided[n])));
        }

        Tensor scores = cat(blocks.ToArray(), 1) / Temperature;
        return nn.functional.cross_entropy(scores, rowIndex + begin).MoveToOuterDisposeScope();
    }
}
