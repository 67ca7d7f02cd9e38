namespace StTrain.Server.Mcp.Results;

/// <summary>One reference as list_references shows it, with this session's reading progress.</summary>
/// <param name="Name">The name for read_reference.</param>
/// <param name="ModelTypes">The model types it concerns.</param>
/// <param name="Requirement">always_required, skim_headings or when_applicable.</param>
/// <param name="AppliesWhen">The condition, for when_applicable.</param>
/// <param name="Summary">What it covers.</param>
/// <param name="Pages">How many pages it has.</param>
/// <param name="PagesRead">Pages this session has been given.</param>
/// <param name="Complete">Whether this session has finished it (all pages, or headings for skim files).</param>
public sealed record ReferenceSummary(
    string Name,
    IReadOnlyList<string> ModelTypes,
    string Requirement,
    string? AppliesWhen,
    string Summary,
    int Pages,
    IReadOnlyList<int> PagesRead,
    bool Complete);
