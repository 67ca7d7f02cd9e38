namespace StTrain.Skill.References;

/// <summary>A reference file as served: its pages and its "## " headings.</summary>
/// <param name="Info">The registry entry.</param>
/// <param name="Pages">The pages, each at most <see cref="ReferencePaginator.DefaultPageSize"/> characters.</param>
/// <param name="Headings">The "## " headings of the whole file, in order.</param>
public sealed record ReferenceDocument(ReferenceInfo Info, IReadOnlyList<string> Pages, IReadOnlyList<string> Headings);
