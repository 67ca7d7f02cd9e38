namespace StTrain.Core.Training.Spec;

/// <summary>
/// One dataset file and how to shape it: which columns in which order (inputs by position; a column named
/// "label" or "score" is the label), renames, and a row cap.
/// </summary>
public sealed record DatasetSpec
{
    public required string Name { get; init; }
    public required string Path { get; init; }
    public IReadOnlyList<string>? Columns { get; init; }
    public IReadOnlyDictionary<string, string> Rename { get; init; } = new Dictionary<string, string>();
    public int? MaxRows { get; init; }

    /// <summary>Where the section is, for error messages.</summary>
    public string Location { get; init; } = "";
    public string Field { get; init; } = "";
}
