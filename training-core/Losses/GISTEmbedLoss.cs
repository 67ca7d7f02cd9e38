using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// GISTEmbed (Solatorio 2024): in-batch negatives like MultipleNegativesRankingLoss, but a frozen guide model
/// removes likely false negatives: any candidate the guide scores above the guide's anchor-positive similarity
/// (minus margin; "relative" scales the margin by |that similarity|) is dropped from the softmax. Candidates are
/// the positives, optionally the other anchors (contrast_anchors) and positives (contrast_positives), and the
/// negatives column when present. loss = CE(cos(...)/temperature, target i). Defaults: temperature 0.01,
/// margin_strategy absolute, margin 0, both contrasts on.
/// </summary>
/// <remarks>
/// It is not an <see cref="EmbeddingLoss"/> (it needs the guide's embeddings as well), so MatryoshkaLoss cannot wrap
/// it. When the guide's tokenizer differs from the model's (or it truncates earlier), the batch is decoded with the
/// model's tokenizer and re-tokenized for the guide, so texts the model saw only truncated reach the guide truncated.
/// </remarks>
public sealed class GISTEmbedLoss : SentenceLoss
{
    public static readonly IReadOnlyList<string> MarginStrategies = ["absolute", "relative"];

    private readonly bool ownsGuide;
    private readonly GuideFilter filter;
    private readonly GuideEmbedder guideEmbedder = new();

    public GISTEmbedLoss(
        SentenceTransformer? model,
        SentenceTransformer? guide,
        double temperature = 0.01,
        string marginStrategy = "absolute",
        double margin = 0.0,
        bool contrastAnchors = true,
        bool contrastPositives = true,
        bool ownsGuide = false)
        : base(nameof(GISTEmbedLoss), model)
    {
        filter = new GuideFilter(nameof(GISTEmbedLoss), temperature, marginStrategy, margin, contrastAnchors,
            contrastPositives);
        Guide = guide;
        this.ownsGuide = ownsGuide;
    }

    /// <summary>The frozen guide model (not a submodule, so the optimizer never sees its weights).</summary>
    public SentenceTransformer? Guide { get; }

    public double Temperature => filter.Temperature;

    public string MarginStrategy => filter.MarginStrategy;

    public double Margin => filter.Margin;

    public bool ContrastAnchors => filter.ContrastAnchors;

    public bool ContrastPositives => filter.ContrastPositives;

    public override IReadOnlyDictionary<string, object?> Config => filter.Config(Guide?.Source);

    public override Tensor Compute(IReadOnlyList<Features> inputs, Tensor? labels)
    {
        RequireColumns(inputs.Count, 2, 3, "anchor, positive, optional negative");
        SentenceTransformer guide = GuideEmbedder.Require(Guide, nameof(GISTEmbedLoss));
        var embeddings = inputs.Select(f => Model.forward(f)[Features.SentenceEmbedding]).ToList();
        var guided = inputs.Select(column => guideEmbedder.Embed(Model, guide, column)).ToList();

        return ComputeFromEmbeddings(embeddings, guided);
    }

    /// <summary>The loss from the model's and the guide's embeddings of the same columns.</summary>
    public Tensor ComputeFromEmbeddings(IReadOnlyList<Tensor> embeddings, IReadOnlyList<Tensor> guideEmbeddings)
    {
        RequireColumns(embeddings.Count, 2, 3, "anchor, positive, optional negative");
        using var scope = NewDisposeScope();
        Tensor anchor = embeddings[0], positive = embeddings[1];
        Tensor guideAnchor = guideEmbeddings[0].detach(), guidePositive = guideEmbeddings[1].detach();
        long batch = anchor.shape[0];
        Tensor guideAnchorPositive = SimilarityFunctions.CosineMatrix(guideAnchor, guidePositive);
        Tensor threshold = filter.Threshold(guideAnchorPositive.diagonal().view(-1, 1));
        Tensor diagonal = eye(batch, dtype: ScalarType.Bool, device: anchor.device);

        Tensor Masked(Tensor similarity, Tensor guideSimilarity, Tensor? keep = null) =>
            GuideFilter.Mask(similarity, guideSimilarity, threshold, keep);

        var blocks = new List<Tensor>
        {
            Masked(SimilarityFunctions.CosineMatrix(anchor, positive), guideAnchorPositive, keep: diagonal),
        };
        if (ContrastAnchors)
        {
            blocks.Add(Masked(SimilarityFunctions.CosineMatrix(anchor, anchor),
                SimilarityFunctions.CosineMatrix(guideAnchor, guideAnchor)));
        }

        if (ContrastPositives)
        {
            blocks.Add(Masked(SimilarityFunctions.CosineMatrix(positive, positive),
                SimilarityFunctions.CosineMatrix(guidePositive, guidePositive)));
        }

        if (embeddings.Count == 3)
        {
            blocks.Add(Masked(SimilarityFunctions.CosineMatrix(anchor, embeddings[2]),
                SimilarityFunctions.CosineMatrix(guideAnchor, guideEmbeddings[2].detach())));
        }

        Tensor scores = cat(blocks.ToArray(), 1) / Temperature;
        Tensor targets = arange(batch, dtype: ScalarType.Int64, device: anchor.device);
        return nn.functional.cross_entropy(scores, targets).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && ownsGuide) Guide?.Dispose();
        base.Dispose(disposing);
    }
}
