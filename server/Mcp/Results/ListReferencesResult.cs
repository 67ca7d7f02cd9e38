namespace StTrain.Server.Mcp.Results;

/// <summary>list_references: every reference with this session's progress.</summary>
/// <param name="References">The references, in reading order.</param>
public sealed record ListReferencesResult(IReadOnlyList<ReferenceSummary> References);
