namespace StTrain.Core.Training.Spec;

/// <summary>The `model:` section: which model to start from and how it reads text.</summary>
public sealed record ModelSpec
{
    /// <summary>A local folder, a Hugging Face cache id, or a bundled id.</summary>
    public required string Id { get; init; }
    public int? MaxSeqLength { get; init; }
    public IReadOnlyDictionary<string, string> Prompts { get; init; } = new Dictionary<string, string>();
    public string? DefaultPromptName { get; init; }

    /// <summary>cosine | dot | euclidean | manhattan, written to the saved model's config.</summary>
    public string? SimilarityFunction { get; init; }
}
