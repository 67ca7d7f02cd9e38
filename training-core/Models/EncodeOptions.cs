namespace StTrain.Core.Models;

/// <summary>
/// PLACEHOLDER in branch h3-losses only; deleted on merge.
/// </summary>
public sealed record EncodeOptions
{
    public int BatchSize { get; init; } = 32;
    public bool Normalize { get; init; }
    public string? Prompt { get; init; }
    public string? PromptName { get; init; }
    public int? TruncateDim { get; init; }
}
