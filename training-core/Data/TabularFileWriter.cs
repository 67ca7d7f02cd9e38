using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Parquet.Schema;
using Parquet.Serialization;

namespace StTrain.Core.Data;

/// <summary>
/// Writes datasets. JSON output is deterministic (keys in column order, shortest round-trip numbers, no escaping of
/// non-ASCII or HTML characters) so that the same data always gives byte-identical files.
/// </summary>
internal static class TabularFileWriter
{
    /// <summary>JSON options shared by every writer of this namespace.</summary>
    public static readonly JsonWriterOptions JsonOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public static void Write(TabularDataset dataset, string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        string temp = path + ".tmp";
        switch (extension)
        {
            case ".jsonl" or ".ndjson": WriteJsonLines(dataset, temp); break;
            case ".json": WriteJson(dataset, temp); break;
            case ".csv": WriteDelimited(dataset, temp, ','); break;
            case ".tsv": WriteDelimited(dataset, temp, '\t'); break;
            case ".parquet": WriteParquet(dataset, temp); break;
            default:
                throw new ArgumentException(
                    $"Cannot save {path}: '{extension}' is not a dataset format. Fix: use .jsonl, .json, .csv, .tsv " +
                    "or .parquet.");
        }
        File.Move(temp, path, overwrite: true);
    }

    private static void WriteJsonLines(TabularDataset dataset, string path)
    {
        using var stream = File.Create(path);
        WriteJsonLines(stream, dataset.ColumnNames, Enumerable.Range(0, dataset.Count).Select(dataset.GetRow));
    }

    /// <summary>One compact JSON object per row, '\n' after each.</summary>
    public static void WriteJsonLines(Stream stream, IReadOnlyList<string> columns,
        IEnumerable<IReadOnlyList<object?>> rows)
    {
        using var writer = new Utf8JsonWriter(stream, JsonOptions);
        foreach (IReadOnlyList<object?> row in rows)
        {
            writer.WriteStartObject();
            for (int c = 0; c < columns.Count; c++)
            {
                writer.WritePropertyName(columns[c]);
                TabularValues.WriteJson(writer, row[c]);
            }
            writer.WriteEndObject();
            writer.Flush();
            stream.WriteByte((byte)'\n');
            writer.Reset(stream);
        }
    }

    private static void WriteJson(TabularDataset dataset, string path)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, JsonOptions with { Indented = true });
        writer.WriteStartArray();
        for (int r = 0; r < dataset.Count; r++)
        {
            writer.WriteStartObject();
            for (int c = 0; c < dataset.ColumnNames.Count; c++)
            {
                writer.WritePropertyName(dataset.ColumnNames[c]);
                TabularValues.WriteJson(writer, dataset[r, c]);
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static void WriteDelimited(TabularDataset dataset, string path, char delimiter)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false)) { NewLine = "\n" };
        writer.WriteLine(string.Join(delimiter, dataset.ColumnNames.Select(c => Quote(c, delimiter))));
        for (int r = 0; r < dataset.Count; r++)
        {
            var cells = new string[dataset.ColumnNames.Count];
            for (int c = 0; c < cells.Length; c++)
            {
                object? value = dataset[r, c];
                if (value is object?[])
                    throw new ArgumentException(
                        $"Column '{dataset.ColumnNames[c]}' holds lists, which {(delimiter == ',' ? "CSV" : "TSV")} " +
                        "cannot hold. Fix: save as .jsonl or .parquet.");
                cells[c] = value is string s ? Quote(s, delimiter, forceWhenEmpty: true) : TabularValues.ToText(value);
            }
            writer.WriteLine(string.Join(delimiter, cells));
        }
    }

    private static string Quote(string value, char delimiter, bool forceWhenEmpty = false)
    {
        bool needs = (forceWhenEmpty && value.Length == 0) || value.Contains(delimiter) || value.Contains('"')
            || value.Contains('\n') || value.Contains('\r');
        return needs ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    private static void WriteParquet(TabularDataset dataset, string path)
    {
        var fields = new List<Field>();
        var itemTypes = new Type?[dataset.ColumnNames.Count];
        for (int c = 0; c < dataset.ColumnNames.Count; c++)
        {
            string name = dataset.ColumnNames[c];
            if (dataset.GetKind(name) == TabularColumnKind.List) itemTypes[c] = ListItemType(dataset, name);
            fields.Add(dataset.GetKind(name) switch
            {
                TabularColumnKind.String or TabularColumnKind.Null => new DataField<string>(name),
                TabularColumnKind.Integer => new DataField<long?>(name),
                TabularColumnKind.Float => new DataField<double?>(name),
                TabularColumnKind.Boolean => new DataField<bool?>(name),
                _ => new ListField(name, itemTypes[c]!),
            });
        }
        var rows = new List<IDictionary<string, object?>>(dataset.Count);
        for (int r = 0; r < dataset.Count; r++)
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (int c = 0; c < dataset.ColumnNames.Count; c++)
                row[dataset.ColumnNames[c]] = ToParquetValue(dataset[r, c], itemTypes[c]);
            rows.Add(row);
        }
        using var stream = File.Create(path);
        ParquetSerializer.SerializeUntypedAsync(rows, new ParquetSchema(fields), stream).GetAwaiter().GetResult();
    }

    private static Type ListItemType(TabularDataset dataset, string column)
    {
        var items = dataset.GetColumn(column).OfType<object?[]>().SelectMany(a => a).ToList();
        if (items.Any(v => v is null))
            throw new ArgumentException(
                $"Column '{column}' holds lists with null items, which Parquet output does not support here. " +
                "Fix: save as .jsonl.");
        if (items.All(v => v is string)) return typeof(string);
        if (items.All(v => v is long)) return typeof(long);
        if (items.All(v => v is long or double)) return typeof(double);
        if (items.All(v => v is bool)) return typeof(bool);
        throw new ArgumentException(
            $"Column '{column}' holds lists of mixed or nested values, which Parquet output does not support here. " +
            "Fix: save as .jsonl.");
    }

    private static object? ToParquetValue(object? value, Type? itemType)
    {
        if (value is not object?[] items || itemType is null) return value;
        if (itemType == typeof(string))
            return items.Select(v => (ReadOnlyMemory<char>?)((string)v!).AsMemory()).ToList();
        if (itemType == typeof(long)) return items.Select(v => (long)v!).ToList();
        if (itemType == typeof(double)) return items.Select(v => v is long l ? l : (double)v!).ToList();
        return items.Select(v => (bool)v!).ToList();
    }
}
