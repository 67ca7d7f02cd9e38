namespace StTrain.Core.Models;

/// <summary>Options of <see cref="SentenceTransformer.Encode"/>.</summary>
public sealed record EncodeOptions
{
    /// <summary>Texts per forward pass; texts are sorted by length first so batches pad little.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>L2-normalise the embeddings (on top of a Normalize module, if the model has one).</summary>
    public bool Normalize { get; init; }

    /// <summary>A literal prompt prepended to every text; wins over <see cref="PromptName"/>.</summary>
    public string? Prompt { get; init; }

    /// <summary>The name of one of the model's prompts (config_sentence_transformers.json), e.g. "query".</summary>
    public string? PromptName { get; init; }

    /// <summary>Keep only the first N dimensions (Matryoshka truncation); renormalised when Normalize is set.</summary>
    public int? TruncateDim { get; init; }
}
