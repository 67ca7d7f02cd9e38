namespace StTrain.Skill.References;

/// <summary>A required reference the session has not finished, with what is still missing.</summary>
/// <param name="Name">The reference name to pass to read_reference.</param>
/// <param name="Requirement">Why it is required.</param>
/// <param name="MissingPages">The 1-based pages not yet delivered (empty for a skim-only file).</param>
/// <param name="PageCount">How many pages the file has.</param>
/// <param name="Why">For a when-applicable file, the condition that made it required.</param>
public sealed record UnreadReference(
    string Name,
    ReadingRequirement Requirement,
    IReadOnlyList<int> MissingPages,
    int PageCount,
    string? Why)
{
    /// <summary>One line for a refusal message.</summary>
    public string Describe() => Requirement == ReadingRequirement.SkimHeadings
        ? $"{Name} (skim its headings: read_reference(name: \"{Name}\", headings_only: true))"
        : $"{Name} (pages not yet read: {string.Join(", ", MissingPages)} of {PageCount})"
          + (Why is null ? "" : $", required because {Why}");
}
