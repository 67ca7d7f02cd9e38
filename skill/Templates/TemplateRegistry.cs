using StTrain.Skill.Routing;

namespace StTrain.Skill.Templates;

/// <summary>
/// The run-spec templates and the training-core capabilities each one needs. A template whose capability has not
/// landed stays listed, marked unavailable with the reason, and scaffolding refuses it with that reason.
/// </summary>
public static class TemplateRegistry
{
    // Scoring pairs with a CrossEncoder (StTrain.Core.Models.CrossEncoder) is not enough for these templates: their
    // runs train one, so they wait for the training task.
    private static readonly CoreFeature CrossEncoderModel =
        new("CrossEncoder training", "StTrain.Core.Training.CrossEncoderTask");

    private static readonly CoreFeature SparseEncoderModel =
        new("the SparseEncoder (SPLADE) model type", "StTrain.Core.Models.SparseEncoder");

    /// <summary>Every template, defaults first within each model type.</summary>
    public static IReadOnlyList<TemplateInfo> All { get; } =
    [
        // The base bi-encoder recipe is the product's baseline: it needs only what every run needs.
        new("sentence_transformer", ModelType.SentenceTransformer, "base",
            "Default bi-encoder: MultipleNegativesRankingLoss on (anchor, positive[, negative]) rows.", [],
            IsDefault: true),
        new("sentence_transformer_matryoshka", ModelType.SentenceTransformer, "matryoshka",
            "Train once, truncate embeddings to several sizes (MatryoshkaLoss around MNRL).",
            [new("the MatryoshkaLoss wrapper", "MatryoshkaLoss")]),
        new("sentence_transformer_multi_dataset", ModelType.SentenceTransformer, "multi_dataset",
            "Several training files, each with its own loss, sampled round-robin or proportionally.",
            [new("multi-dataset training (one loss per dataset, a multi-dataset batch sampler)",
                "EpochPlan", "MultiDatasetBatchSampler")]),
        new("sentence_transformer_lora", ModelType.SentenceTransformer, "lora",
            "Train low-rank adapters instead of all weights (large bases, several task adapters).",
            [new("LoRA adapters on the transformer's linear layers", "LoraAdapter", "LoraLinear")]),
        new("sentence_transformer_distillation", ModelType.SentenceTransformer, "distillation",
            "Learn from a teacher's score margins: MarginMSELoss on (query, positive, negative, margin).",
            [new("the MarginMSELoss loss", "MarginMSELoss")]),
        new("sentence_transformer_make_multilingual", ModelType.SentenceTransformer, "make_multilingual",
            "Teach a multilingual student to map translations onto an English teacher's embeddings (MSELoss).",
            [new("the MSELoss loss", "MSELoss"),
             new("teacher-embedding labels for parallel sentences", "TeacherEmbeddingLabeler")]),
        new("sentence_transformer_static_embedding", ModelType.SentenceTransformer, "static_embedding",
            "A token-embedding-bag model (no transformer) for very fast CPU inference.",
            [new("the StaticEmbedding module", "StaticEmbedding")]),
        new("cross_encoder", ModelType.CrossEncoder, "base",
            "Default reranker: BinaryCrossEntropyLoss on (query, passage, label) rows with mined negatives.",
            [CrossEncoderModel, new("the BinaryCrossEntropyLoss loss", "BinaryCrossEntropyLoss")],
            IsDefault: true),
        new("cross_encoder_distillation", ModelType.CrossEncoder, "distillation",
            "Reranker distilled from a stronger reranker's scores (MarginMSELoss on score margins).",
            [CrossEncoderModel, new("the MarginMSELoss loss", "MarginMSELoss")]),
        new("cross_encoder_listwise", ModelType.CrossEncoder, "listwise",
            "Reranker trained on whole candidate lists per query (LambdaLoss).",
            [CrossEncoderModel, new("the LambdaLoss listwise loss", "LambdaLoss")]),
        new("sparse_encoder", ModelType.SparseEncoder, "base",
            "Default SPLADE: SpladeLoss around SparseMultipleNegativesRankingLoss with FLOPS regularization.",
            [SparseEncoderModel, new("the SpladeLoss wrapper", "SpladeLoss")],
            IsDefault: true),
        new("sparse_encoder_distillation", ModelType.SparseEncoder, "distillation",
            "SPLADE distilled from a reranker's score margins (SparseMarginMSELoss inside SpladeLoss).",
            [SparseEncoderModel, new("the SpladeLoss wrapper", "SpladeLoss"),
             new("the SparseMarginMSELoss loss", "SparseMarginMSELoss")]),
        new("hard_negative_mining", ModelType.SentenceTransformer, "hard_negative_mining",
            "Mine hard negatives with a retriever first, then train MNRL on the mined (anchor, positive, "
            + "negative_1..n) rows.",
            [new("the hard-negative miner and its CLI", "HardNegativeMiner")]),
    ];

    /// <summary>The template with this name (with or without ".yaml", any case), or null.</summary>
    public static TemplateInfo? Find(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var trimmed = name.Trim();
        if (trimmed.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[..^5];
        }

        return All.FirstOrDefault(info => string.Equals(info.Name, trimmed, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The templates for one model type, default first.</summary>
    public static IReadOnlyList<TemplateInfo> For(ModelType type) =>
        All.Where(info => info.ModelType == type).OrderByDescending(info => info.IsDefault).ToList();
}
