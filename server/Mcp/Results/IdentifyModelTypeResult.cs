namespace StTrain.Server.Mcp.Results;

/// <summary>identify_model_type: the routing decision and what to read and start from.</summary>
/// <param name="ModelType">SentenceTransformer, CrossEncoder or SparseEncoder; null when ambiguous.</param>
/// <param name="Ambiguous">True when the agent should ask the user which model kind they want.</param>
/// <param name="Reason">Which cues decided, or why none did.</param>
/// <param name="RequiredReading">References to read in full (troubleshooting: skim) before scaffolding.</param>
/// <param name="WhenApplicable">References that become required under a condition.</param>
/// <param name="Templates">Templates for the type, default first, available ones only.</param>
/// <param name="UnavailableTemplates">Templates for the type this build cannot run yet, with reasons.</param>
/// <param name="MatchedCues">The cue phrases found, by model type.</param>
public sealed record IdentifyModelTypeResult(
    string? ModelType,
    bool Ambiguous,
    string Reason,
    IReadOnlyList<string> RequiredReading,
    IReadOnlyList<ConditionalReference> WhenApplicable,
    IReadOnlyList<string> Templates,
    IReadOnlyList<TemplateSummary> UnavailableTemplates,
    IReadOnlyDictionary<string, IReadOnlyList<string>> MatchedCues);
