namespace StTrain.Core.Data;

/// <summary>
/// One generated JSONL file: its path inside the dataset folder, its split, columns, rows, and for every row the
/// ids of the synsets whose text the row contains (kept in memory for checks; not written to the file).
/// </summary>
public sealed class WordNetTable(string fileName, string split, IReadOnlyList<string> columns)
{
    private readonly List<object?[]> rows = new();
    private readonly List<string[]> sources = new();

    /// <summary>Path relative to the dataset folder, e.g. "train.jsonl" or "dev/queries.jsonl".</summary>
    public string FileName { get; } = fileName;

    /// <summary>train, dev or test.</summary>
    public string Split { get; } = split;

    public IReadOnlyList<string> Columns { get; } = columns;

    public int Count => rows.Count;

    public IReadOnlyList<object?[]> Rows => rows;

    /// <summary>Per row, the synset ids whose definitions, lemmas or examples appear in it.</summary>
    public IReadOnlyList<string[]> SourceSynsets => sources;

    internal void Add(object?[] row, params string[] synsetIds)
    {
        if (row.Length != Columns.Count)
            throw new InvalidOperationException(
                $"{FileName}: a row has {row.Length} values for {Columns.Count} columns.");
        rows.Add(row);
        sources.Add(synsetIds);
    }

    /// <summary>The rows as a dataset (same values the file holds).</summary>
    public TabularDataset ToDataset() => new(Columns, rows);
}
