namespace StTrain.Server.Mcp.Results;

/// <summary>read_reference: one page of a reference.</summary>
/// <param name="Name">The reference name.</param>
/// <param name="Text">The page text (empty when only headings were asked for).</param>
/// <param name="Page">The page number delivered (1-based; 0 for headings only).</param>
/// <param name="Pages">How many pages the reference has.</param>
/// <param name="NextPage">The next page to read, or null after the last.</param>
/// <param name="Headings">The file's "## " headings: always for troubleshooting and for headings_only.</param>
/// <param name="Complete">Whether this session has now finished this reference.</param>
public sealed record ReadReferenceResult(
    string Name,
    string Text,
    int Page,
    int Pages,
    int? NextPage,
    IReadOnlyList<string>? Headings,
    bool Complete);
