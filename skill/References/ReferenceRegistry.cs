using StTrain.Skill.Routing;

namespace StTrain.Skill.References;

/// <summary>
/// The reference files and which runs they are required for. This table is the single source for the
/// identify_model_type answer, the scaffold refusal, list_references and the reference tests.
/// </summary>
public static class ReferenceRegistry
{
    private static readonly ModelType[] AllTypes =
        [ModelType.SentenceTransformer, ModelType.CrossEncoder, ModelType.SparseEncoder];

    /// <summary>Every reference, in the order an agent should read them.</summary>
    public static IReadOnlyList<ReferenceInfo> All { get; } =
    [
        new("losses_sentence_transformer", [ModelType.SentenceTransformer], ReadingRequirement.AlwaysRequired,
            "Which bi-encoder loss fits which data shape; sampler and cached-loss constraints."),
        new("evaluators_sentence_transformer", [ModelType.SentenceTransformer], ReadingRequirement.AlwaysRequired,
            "Which evaluator fits which task; metric keys for metric_for_best_model."),
        new("model_architectures", [ModelType.SentenceTransformer], ReadingRequirement.AlwaysRequired,
            "Module pipelines (Transformer, Pooling, Dense, Normalize, StaticEmbedding) and pooling rules."),
        new("losses_cross_encoder", [ModelType.CrossEncoder], ReadingRequirement.AlwaysRequired,
            "Pointwise, pairwise, listwise and distillation reranker losses; pos_weight; activation rules."),
        new("evaluators_cross_encoder", [ModelType.CrossEncoder], ReadingRequirement.AlwaysRequired,
            "Reranking, classification and correlation evaluators for rerankers and their metric keys."),
        new("losses_sparse_encoder", [ModelType.SparseEncoder], ReadingRequirement.AlwaysRequired,
            "SpladeLoss wrapper, FLOPS regularizer weights, sparse contrastive and distillation losses."),
        new("evaluators_sparse_encoder", [ModelType.SparseEncoder], ReadingRequirement.AlwaysRequired,
            "Sparse retrieval evaluators, dot-product metric keys and active-dimension tracking."),
        new("training_args", AllTypes, ReadingRequirement.AlwaysRequired,
            "The training section of a run spec: duration, batch, schedule, evaluation, checkpoints, verdicts."),
        new("dataset_formats", AllTypes, ReadingRequirement.AlwaysRequired,
            "Column order and label rules, reshaping with columns/rename, hard-negative mining."),
        new("base_model_selection", AllTypes, ReadingRequirement.AlwaysRequired,
            "Which base model to start from, per model type; the bundled offline models; length traps."),
        new("troubleshooting", AllTypes, ReadingRequirement.SkimHeadings,
            "Failures indexed by symptom. Skim the headings on every run; read an entry when it fires."),
        new("hardware_guide", AllTypes, ReadingRequirement.WhenApplicable,
            "Memory and speed sizing on CPU, threads, batch and sequence-length budgets.",
            "the spec uses per_device_train_batch_size above 64 or model.max_seq_length above 256"),
        new("remote_execution", AllTypes, ReadingRequirement.WhenApplicable,
            "Running a spec on another machine, long runs in the background, and Hub pushes.",
            "the run executes on another machine or pushes to the Hugging Face Hub (hub.push: true)"),
        new("prompts_and_instructions", AllTypes, ReadingRequirement.WhenApplicable,
            "Query/document prompts and instructions in model.prompts and how they reach training and encode.",
            "the spec sets model.prompts, or the base model expects prefixes such as \"query: \" / \"passage: \""),
    ];

    /// <summary>Finds a reference by name, with or without ".md", ignoring case; null when there is none.</summary>
    public static ReferenceInfo? Find(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var trimmed = name.Trim();
        if (trimmed.EndsWith(".md", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[..^3];
        }

        return All.FirstOrDefault(info => string.Equals(info.Name, trimmed, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>References that must be read (or skimmed) for every run of this type, in reading order.</summary>
    public static IReadOnlyList<ReferenceInfo> RequiredFor(ModelType type) =>
        All.Where(info => info.Requirement != ReadingRequirement.WhenApplicable && info.ModelTypes.Contains(type))
            .ToList();

    /// <summary>References that become required for this type when their condition holds.</summary>
    public static IReadOnlyList<ReferenceInfo> WhenApplicableFor(ModelType type) =>
        All.Where(info => info.Requirement == ReadingRequirement.WhenApplicable && info.ModelTypes.Contains(type))
            .ToList();

    /// <summary>The reference by name; throws naming the valid names when there is none.</summary>
    public static ReferenceInfo Get(string name) =>
        Find(name) ?? throw new KeyNotFoundException(
            $"No reference named '{name}'. Valid names: {string.Join(", ", All.Select(info => info.Name))}.");
}
