namespace StTrain.Core.Data;

/// <summary>
/// An in-memory table: ordered column names and rows of values (string, long, double, bool, object?[] lists or
/// null), the shape of a Hugging Face <c>datasets.Dataset</c> after loading. Every transform returns a new dataset
/// and leaves this one unchanged.
/// </summary>
public sealed class TabularDataset
{
    private readonly string[] columns;
    private readonly object?[][] rows;
    private readonly TabularColumnKind[] kinds;
    private readonly Dictionary<string, int> columnIndex;

    /// <summary>
    /// Builds a dataset from rows whose values are listed in column order. Values are normalised (int → long,
    /// float → double, arrays → object?[]); a column mixing integers and floats becomes a float column.
    /// </summary>
    /// <exception cref="ArgumentException">Duplicate column, ragged row, or a column mixing incompatible
    /// types.</exception>
    public TabularDataset(IEnumerable<string> columnNames, IEnumerable<IReadOnlyList<object?>> rows,
        string? sourcePath = null)
    {
        columns = columnNames.ToArray();
        columnIndex = BuildIndex(columns);
        SourcePath = sourcePath;
        var list = new List<object?[]>();
        foreach (IReadOnlyList<object?> row in rows)
        {
            if (row.Count != columns.Length)
                throw new ArgumentException(
                    $"Row {list.Count} has {row.Count} values but the dataset has {columns.Length} columns " +
                    $"({string.Join(", ", columns)}); give every row one value per column.");
            var values = new object?[row.Count];
            for (int c = 0; c < values.Length; c++) values[c] = TabularValues.Normalize(row[c]);
            list.Add(values);
        }
        this.rows = list.ToArray();
        kinds = new TabularColumnKind[columns.Length];
        for (int c = 0; c < columns.Length; c++)
        {
            int column = c;
            kinds[c] = UnifyColumn(this.rows, c, (row, found, expected) => new ArgumentException(
                $"Column '{columns[column]}' row {row} holds a {found} value but earlier rows hold {expected} " +
                $"values; make every value of the column the same type."));
        }
    }

    private TabularDataset(string[] columns, object?[][] rows, TabularColumnKind[] kinds, string? sourcePath)
    {
        this.columns = columns;
        this.rows = rows;
        this.kinds = kinds;
        columnIndex = BuildIndex(columns);
        SourcePath = sourcePath;
    }

    /// <summary>Column names in order.</summary>
    public IReadOnlyList<string> ColumnNames => columns;

    /// <summary>Number of rows.</summary>
    public int Count => rows.Length;

    /// <summary>The file this dataset was loaded from, if any (used in error messages).</summary>
    public string? SourcePath { get; }

    /// <summary>The value at a row and column.</summary>
    public object? this[int row, string column] => rows[row][IndexOf(column)];

    /// <summary>The value at a row and column position.</summary>
    public object? this[int row, int column] => rows[row][column];

    /// <summary>Whether the dataset has a column of this name.</summary>
    public bool HasColumn(string column) => columnIndex.ContainsKey(column);

    /// <summary>The position of a column; throws naming the available columns when it is absent.</summary>
    public int IndexOf(string column)
    {
        if (columnIndex.TryGetValue(column, out int index)) return index;
        throw new ArgumentException(
            $"{Describe()} has no column '{column}'. Available columns: {string.Join(", ", columns)}. " +
            "Fix: use one of these names, or rename the column first.");
    }

    /// <summary>The inferred value type of a column.</summary>
    public TabularColumnKind GetKind(string column) => kinds[IndexOf(column)];

    /// <summary>The values of one row, in column order.</summary>
    public IReadOnlyList<object?> GetRow(int row) => rows[row];

    /// <summary>The values of one column, in row order.</summary>
    public IReadOnlyList<object?> GetColumn(string column)
    {
        int c = IndexOf(column);
        return rows.Select(r => r[c]).ToArray();
    }

    /// <summary>A text column; throws naming the first row that holds a non-string (or null) value.</summary>
    public IReadOnlyList<string> GetStrings(string column)
    {
        int c = IndexOf(column);
        var result = new string[rows.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            result[r] = rows[r][c] as string ?? throw new ArgumentException(
                $"{Describe()} column '{column}' row {r} holds {TabularValues.Preview(rows[r][c])}, not text. " +
                "Fix: give this column a string in every row.");
        }
        return result;
    }

    /// <summary>A numeric column as doubles (integers and booleans convert); throws naming the first bad row.</summary>
    public IReadOnlyList<double> GetDoubles(string column)
    {
        int c = IndexOf(column);
        var result = new double[rows.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            result[r] = rows[r][c] switch
            {
                double d => d,
                long l => l,
                bool b => b ? 1 : 0,
                var other => throw new ArgumentException(
                    $"{Describe()} column '{column}' row {r} holds {TabularValues.Preview(other)}, not a number. " +
                    "Fix: give this column a number in every row."),
            };
        }
        return result;
    }

    /// <summary>A column of string lists; throws naming the first row whose value is not a list of strings.</summary>
    public IReadOnlyList<IReadOnlyList<string>> GetStringLists(string column)
    {
        int c = IndexOf(column);
        var result = new IReadOnlyList<string>[rows.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            if (rows[r][c] is object?[] items && items.All(i => i is string))
                result[r] = items.Cast<string>().ToArray();
            else
                throw new ArgumentException(
                    $"{Describe()} column '{column}' row {r} holds {TabularValues.Preview(rows[r][c])}, " +
                    "not a list of strings. Fix: give this column a JSON array of strings in every row.");
        }
        return result;
    }

    /// <summary>Keeps the named columns, in the given order.</summary>
    public TabularDataset Select(IEnumerable<string> columnNames)
    {
        string[] names = columnNames.ToArray();
        int[] positions = names.Select(IndexOf).ToArray();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new ArgumentException($"Select lists a column twice ({string.Join(", ", names)}); name each once.");
        var selected = rows.Select(r => positions.Select(p => r[p]).ToArray()).ToArray();
        return new TabularDataset(names, selected, positions.Select(p => kinds[p]).ToArray(), SourcePath);
    }

    /// <summary>Keeps the named columns, in the given order.</summary>
    public TabularDataset Select(params string[] columnNames) => Select((IEnumerable<string>)columnNames);

    /// <summary>Renames columns (old → new); columns not in the map keep their names.</summary>
    public TabularDataset Rename(IReadOnlyDictionary<string, string> map)
    {
        foreach (string old in map.Keys) IndexOf(old);
        string[] renamed = columns.Select(c => map.TryGetValue(c, out string? n) ? n : c).ToArray();
        var duplicate = renamed.GroupBy(c => c, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException(
                $"Renaming would give two columns the name '{duplicate.Key}'. Fix: choose distinct new names, or " +
                "drop one of the columns with Select first.");
        if (renamed.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("A new column name is empty. Fix: give every renamed column a name.");
        return new TabularDataset(renamed, rows, kinds, SourcePath);
    }

    /// <summary>The first <paramref name="count"/> rows (all of them when there are fewer).</summary>
    public TabularDataset Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new TabularDataset(columns, rows.Take(count).ToArray(), kinds, SourcePath);
    }

    /// <summary>All rows after the first <paramref name="count"/>.</summary>
    public TabularDataset Skip(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new TabularDataset(columns, rows.Skip(count).ToArray(), kinds, SourcePath);
    }

    /// <summary>Rows in a random order fixed by <paramref name="seed"/> (same seed → same order, on any
    /// machine).</summary>
    public TabularDataset Shuffle(long seed)
    {
        var shuffled = rows.ToArray();
        new DeterministicRandom(seed).Shuffle(shuffled);
        return new TabularDataset(columns, shuffled, kinds, SourcePath);
    }

    /// <summary>
    /// Loads .jsonl / .json / .csv / .tsv / .parquet (chosen by extension). Errors name the file, the line (or row)
    /// and the fix.
    /// </summary>
    /// <exception cref="DataFileException">The file is missing, malformed or mixes value types in a column.</exception>
    public static TabularDataset Load(string path) => TabularFileReader.Read(path);

    /// <summary>Writes .jsonl / .json / .csv / .tsv / .parquet (chosen by extension), replacing the file.</summary>
    public void Save(string path) => TabularFileWriter.Write(this, path);

    internal static TabularDataset FromTrusted(string[] columns, object?[][] rows, TabularColumnKind[] kinds,
        string? sourcePath) => new(columns, rows, kinds, sourcePath);

    /// <summary>
    /// The common kind of column <paramref name="c"/>; integers in a float column are converted in place. Calls
    /// <paramref name="error"/> (row, found kind, expected kind) for the first row that conflicts.
    /// </summary>
    internal static TabularColumnKind UnifyColumn(object?[][] rows, int c,
        Func<int, string, string, Exception> error)
    {
        var kind = TabularColumnKind.Null;
        bool mixedNumbers = false;
        for (int r = 0; r < rows.Length; r++)
        {
            var k = TabularValues.KindOf(rows[r][c]);
            if (k == TabularColumnKind.Null || k == kind) continue;
            if (kind == TabularColumnKind.Null) { kind = k; continue; }
            bool numeric = k is TabularColumnKind.Integer or TabularColumnKind.Float
                && kind is TabularColumnKind.Integer or TabularColumnKind.Float;
            if (!numeric) throw error(r, TabularValues.KindName(k), TabularValues.KindName(kind));
            kind = TabularColumnKind.Float;
            mixedNumbers = true;
        }
        if (mixedNumbers)
        {
            foreach (object?[] row in rows)
                if (row[c] is long l) row[c] = (double)l;
        }
        return kind;
    }

    private string Describe() => SourcePath is null ? "The dataset" : $"Dataset {SourcePath}";

    private static Dictionary<string, int> BuildIndex(string[] names)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            if (string.IsNullOrEmpty(names[i]))
                throw new ArgumentException($"Column {i} has no name; give every column a non-empty name.");
            if (!index.TryAdd(names[i], i))
                throw new ArgumentException(
                    $"Column name '{names[i]}' appears twice; give every column a unique name.");
        }
        return index;
    }
}
