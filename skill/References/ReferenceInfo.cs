using StTrain.Skill.Routing;

namespace StTrain.Skill.References;

/// <summary>One reference file under references/, with the runs it must be read for.</summary>
/// <param name="Name">File name without ".md"; the only name read_reference accepts for it.</param>
/// <param name="ModelTypes">The model types it concerns; all three for cross-cutting references.</param>
/// <param name="Requirement">Always required, skim its headings, or required when applicable.</param>
/// <param name="Summary">What the file covers, one line.</param>
/// <param name="AppliesWhen">For when-applicable files: the condition, as a sentence an agent can check.</param>
public sealed record ReferenceInfo(
    string Name,
    IReadOnlyList<ModelType> ModelTypes,
    ReadingRequirement Requirement,
    string Summary,
    string? AppliesWhen = null)
{
    /// <summary>The file name inside references/.</summary>
    public string FileName => Name + ".md";
}
