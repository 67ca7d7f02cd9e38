namespace StTrain.Core.Data;

/// <summary>
/// One dataset of a WordNet build (a folder of JSONL files plus a README.md card): what it holds, which losses and
/// evaluators it fits, and its tables.
/// </summary>
public sealed class WordNetGeneratedDataset
{
    /// <summary>Folder name, e.g. "reverse_dictionary".</summary>
    public required string Name { get; init; }

    /// <summary>Card title.</summary>
    public required string Title { get; init; }

    /// <summary>What one row means (card text).</summary>
    public required string Description { get; init; }

    /// <summary>Column name → meaning, in column order (for IR sets, file columns prefixed by file name).</summary>
    public required IReadOnlyList<(string Column, string Meaning)> ColumnNotes { get; init; }

    /// <summary>sentence-transformers losses this shape fits.</summary>
    public required IReadOnlyList<string> Losses { get; init; }

    /// <summary>sentence-transformers evaluators this shape fits.</summary>
    public required IReadOnlyList<string> Evaluators { get; init; }

    /// <summary>Extra card lines (label names, negative provenance, caveats).</summary>
    public List<string> Notes { get; } = new();

    public List<WordNetTable> Tables { get; } = new();

    /// <summary>The table written to <paramref name="fileName"/>; throws naming the available files.</summary>
    public WordNetTable Table(string fileName) =>
        Tables.FirstOrDefault(t => t.FileName == fileName) ?? throw new KeyNotFoundException(
            $"Dataset {Name} has no file {fileName}; it has {string.Join(", ", Tables.Select(t => t.FileName))}.");
}
