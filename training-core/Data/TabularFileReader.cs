using System.Globalization;
using System.Text;
using System.Text.Json;
using Parquet;
using Parquet.Serialization;

namespace StTrain.Core.Data;

/// <summary>Reads the dataset file formats; every error names the file, the line (or row) and the fix.</summary>
internal static class TabularFileReader
{
    private const string Formats = ".jsonl, .json, .csv, .tsv or .parquet";

    public static TabularDataset Read(string path)
    {
        if (Directory.Exists(path))
            throw new DataFileException(path, null, "This is a folder, not a data file.",
                "point to a data file inside the folder, not the folder itself.");
        if (!File.Exists(path))
            throw new DataFileException(path, null, "The file does not exist.",
                "check the path (relative paths start at the current directory " +
                $"{Directory.GetCurrentDirectory()}).");
        string extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".jsonl" or ".ndjson" => ReadJsonLines(path),
            ".json" => ReadJson(path),
            ".csv" => ReadDelimited(path, ','),
            ".tsv" => ReadDelimited(path, '\t'),
            ".parquet" => ReadParquet(path),
            _ => throw new DataFileException(path, null, $"The extension '{extension}' is not a dataset format.",
                $"save the data as {Formats}."),
        };
    }

    private static TabularDataset ReadJsonLines(string path)
    {
        string[]? columns = null;
        HashSet<string>? columnSet = null;
        var rows = new List<object?[]>();
        var lineOfRow = new List<long>();
        long lineNumber = 0;
        using var reader = Utf8TextFile.OpenReader(path);
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new DataFileException(path, lineNumber,
                    $"The line is not valid JSON ({FirstSentence(e.Message)}).",
                    "write exactly one JSON object per line, e.g. {\"anchor\": \"...\", \"positive\": \"...\"}.");
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    throw new DataFileException(path, lineNumber,
                        $"The line holds a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, " +
                        "not an object.", "write one JSON object per line with one key per column.");
                var properties = document.RootElement.EnumerateObject().ToList();
                if (columns is null)
                {
                    columns = properties.Select(p => p.Name).ToArray();
                    columnSet = new HashSet<string>(columns, StringComparer.Ordinal);
                    if (columnSet.Count != columns.Length)
                        throw new DataFileException(path, lineNumber, "The object repeats a key.",
                            "give each column one key per line.");
                }
                var values = new object?[columns.Length];
                var seen = new bool[columns.Length];
                foreach (JsonProperty property in properties)
                {
                    int c = Array.IndexOf(columns, property.Name);
                    if (c < 0)
                        throw new DataFileException(path, lineNumber,
                            $"The key '{property.Name}' is not a column of the first row " +
                            $"({string.Join(", ", columns)}).",
                            "give every line the same keys (use null for a missing value).");
                    values[c] = ConvertJson(property.Value, path, lineNumber, property.Name);
                    seen[c] = true;
                }
                int missing = Array.IndexOf(seen, false);
                if (missing >= 0)
                    throw new DataFileException(path, lineNumber,
                        $"The key '{columns[missing]}' of the first row is missing here.",
                        "give every line the same keys (use null for a missing value).");
                rows.Add(values);
                lineOfRow.Add(lineNumber);
            }
        }
        if (columns is null)
            throw new DataFileException(path, null, "The file holds no rows.",
                "write one JSON object per line, e.g. {\"anchor\": \"...\", \"positive\": \"...\"}.");
        return Finish(path, columns, rows, r => lineOfRow[r], "line");
    }

    private static TabularDataset ReadJson(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Utf8TextFile.RequireUtf8(path, bytes);
        // The JSON parser takes no byte order mark; the text readers skip it, so this one does too.
        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new DataFileException(path, (e.LineNumber ?? -1) + 1,
                $"The file is not valid JSON ({FirstSentence(e.Message)}).",
                "fix the JSON syntax at this line, or write one object per line as .jsonl.");
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            long[] starts = ElementStartLines(bytes);
            if (root.ValueKind == JsonValueKind.Array) return ReadJsonRecords(path, root, starts);
            if (root.ValueKind == JsonValueKind.Object
                && root.EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.Array))
                return ReadJsonColumns(path, root, starts);
            throw new DataFileException(path, 1, "The top-level JSON value is neither an array of row objects nor " +
                "an object of equal-length column arrays.",
                "write [{\"anchor\": \"...\", \"positive\": \"...\"}, ...] or " +
                "{\"anchor\": [...], \"positive\": [...]}.");
        }
    }

    private static TabularDataset ReadJsonRecords(string path, JsonElement root, long[] starts)
    {
        string[]? columns = null;
        var rows = new List<object?[]>();
        long LineOf(int r) => r < starts.Length ? starts[r] : 1;
        int index = 0;
        foreach (JsonElement item in root.EnumerateArray())
        {
            long line = LineOf(index);
            if (item.ValueKind != JsonValueKind.Object)
                throw new DataFileException(path, line, $"Array element {index} is not an object.",
                    "make every element of the top-level array a row object with one key per column.");
            var properties = item.EnumerateObject().ToList();
            columns ??= properties.Select(p => p.Name).Distinct(StringComparer.Ordinal).ToArray();
            var values = new object?[columns.Length];
            var seen = new bool[columns.Length];
            foreach (JsonProperty property in properties)
            {
                int c = Array.IndexOf(columns, property.Name);
                if (c < 0)
                    throw new DataFileException(path, line,
                        $"Row {index} has the key '{property.Name}', which the first row lacks.",
                        "give every row the same keys (use null for a missing value).");
                values[c] = ConvertJson(property.Value, path, line, property.Name);
                seen[c] = true;
            }
            int missing = Array.IndexOf(seen, false);
            if (missing >= 0)
                throw new DataFileException(path, line, $"Row {index} lacks the key '{columns[missing]}'.",
                    "give every row the same keys (use null for a missing value).");
            rows.Add(values);
            index++;
        }
        if (columns is null)
            throw new DataFileException(path, 1, "The array holds no rows.", "add at least one row object.");
        return Finish(path, columns, rows, LineOf, "line");
    }

    private static TabularDataset ReadJsonColumns(string path, JsonElement root, long[] starts)
    {
        var properties = root.EnumerateObject().ToList();
        if (properties.Count == 0)
            throw new DataFileException(path, 1, "The object has no columns.", "add at least one column array.");
        string[] columns = properties.Select(p => p.Name).ToArray();
        int count = properties[0].Value.GetArrayLength();
        var rows = Enumerable.Range(0, count).Select(_ => new object?[columns.Length]).ToList();
        for (int c = 0; c < columns.Length; c++)
        {
            JsonElement array = properties[c].Value;
            long line = c < starts.Length ? starts[c] : 1;
            if (array.GetArrayLength() != count)
                throw new DataFileException(path, line,
                    $"Column '{columns[c]}' has {array.GetArrayLength()} values but '{columns[0]}' has {count}.",
                    "give every column array the same length.");
            int r = 0;
            foreach (JsonElement value in array.EnumerateArray())
                rows[r++][c] = ConvertJson(value, path, line, columns[c]);
        }
        return Finish(path, columns, rows, r => r + 1, "row");
    }

    /// <summary>The 1-based line where each element of the top-level array (or object) starts.</summary>
    private static long[] ElementStartLines(byte[] bytes)
    {
        var lines = new List<long>();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions
        {
            AllowTrailingCommas = true,
            CommentHandling = JsonCommentHandling.Skip,
        });
        long line = 1;
        long scanned = 0;
        while (reader.Read())
        {
            bool elementStart = reader.CurrentDepth == 1 && reader.TokenType is not
                (JsonTokenType.EndArray or JsonTokenType.EndObject or JsonTokenType.PropertyName);
            if (!elementStart) continue;
            long position = reader.TokenStartIndex;
            for (; scanned < position; scanned++)
                if (bytes[scanned] == (byte)'\n') line++;
            lines.Add(line);
            if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject) reader.Skip();
        }
        return lines.ToArray();
    }

    private static object? ConvertJson(JsonElement element, string path, long line, string column)
    {
        object? value = TabularValues.FromJson(element, out bool unsupported);
        if (unsupported)
            throw new DataFileException(path, line, $"Column '{column}' holds a JSON object.",
                "flatten nested objects into separate columns (strings, numbers, booleans and arrays are allowed).");
        return value;
    }

    private static TabularDataset ReadDelimited(string path, char delimiter)
    {
        string name = delimiter == ',' ? "CSV" : "TSV";
        var records = new List<(List<string?> Fields, long Line)>();
        using (var reader = Utf8TextFile.OpenReader(path))
        {
            var parser = new DelimitedParser(reader, delimiter, path);
            while (parser.Next() is { } record) records.Add(record);
        }
        if (records.Count == 0)
            throw new DataFileException(path, 1, $"The {name} file is empty.",
                "put the column names on the first line and one row per line after it.");
        var header = records[0];
        string[] columns = header.Fields.Select(f => f ?? "").ToArray();
        for (int c = 0; c < columns.Length; c++)
        {
            if (string.IsNullOrWhiteSpace(columns[c]))
                throw new DataFileException(path, header.Line, $"Header column {c + 1} has no name.",
                    "give every column a name on the first line.");
            if (Array.IndexOf(columns, columns[c]) != c)
                throw new DataFileException(path, header.Line, $"The header names '{columns[c]}' twice.",
                    "give every column a unique name.");
        }
        var raw = new List<(List<string?> Fields, long Line)>();
        foreach (var record in records.Skip(1))
        {
            if (record.Fields.Count == 1 && string.IsNullOrEmpty(record.Fields[0]) && columns.Length > 1) continue;
            if (record.Fields.Count != columns.Length)
                throw new DataFileException(path, record.Line,
                    $"The row has {record.Fields.Count} fields but the header has {columns.Length}.",
                    delimiter == ','
                        ? "wrap values that contain commas, quotes or line breaks in double quotes (\"a, b\"); " +
                          "double any quote inside them (\"\")."
                        : "make sure values contain no tab characters, or wrap them in double quotes.");
            raw.Add(record);
        }
        var rows = raw.Select(_ => new object?[columns.Length]).ToList();
        for (int c = 0; c < columns.Length; c++)
        {
            var cells = raw.Select(r => r.Fields[c]).ToList();
            var typed = InferTextColumn(cells);
            for (int r = 0; r < rows.Count; r++) rows[r][c] = typed[r];
        }
        return Finish(path, columns, rows, r => raw[r].Line, "line");
    }

    /// <summary>
    /// Types a CSV column the way pandas does: integers if every non-empty cell is an integer, else floats if every
    /// one is a number, else booleans for true/false, else strings. Empty unquoted cells are null.
    /// </summary>
    private static object?[] InferTextColumn(List<string?> cells)
    {
        var present = cells.Where(c => !string.IsNullOrEmpty(c)).Cast<string>().ToList();
        var result = new object?[cells.Count];
        if (present.Count > 0 && present.All(c => long.TryParse(c, NumberStyles.AllowLeadingSign,
                CultureInfo.InvariantCulture, out _)))
        {
            for (int i = 0; i < cells.Count; i++)
                result[i] = string.IsNullOrEmpty(cells[i]) ? null : long.Parse(cells[i]!, CultureInfo.InvariantCulture);
            return result;
        }
        if (present.Count > 0 && present.All(c => double.TryParse(c, NumberStyles.Float,
                CultureInfo.InvariantCulture, out _)))
        {
            for (int i = 0; i < cells.Count; i++)
                result[i] = string.IsNullOrEmpty(cells[i])
                    ? null
                    : double.Parse(cells[i]!, NumberStyles.Float, CultureInfo.InvariantCulture);
            return result;
        }
        static bool IsBool(string c) => c.Equals("true", StringComparison.OrdinalIgnoreCase)
            || c.Equals("false", StringComparison.OrdinalIgnoreCase);
        if (present.Count > 0 && present.All(IsBool))
        {
            for (int i = 0; i < cells.Count; i++)
                result[i] = string.IsNullOrEmpty(cells[i])
                    ? null
                    : cells[i]!.Equals("true", StringComparison.OrdinalIgnoreCase);
            return result;
        }
        for (int i = 0; i < cells.Count; i++) result[i] = cells[i];
        return result;
    }

    private static TabularDataset ReadParquet(string path)
    {
        DeserializationResult<Dictionary<string, object>> result;
        try
        {
            using var stream = File.OpenRead(path);
            result = ParquetSerializer.DeserializeUntypedAsync(stream).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException
            or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new DataFileException(path, null, $"The file is not a readable Parquet file ({e.Message}).",
                "re-export it with pandas/pyarrow (df.to_parquet) or datasets (ds.to_parquet), or use .jsonl.", e);
        }
        string[] columns = result.Schema.Fields.Select(f => f.Name).ToArray();
        var rows = new List<object?[]>(result.Data.Count);
        for (int r = 0; r < result.Data.Count; r++)
        {
            var values = new object?[columns.Length];
            for (int c = 0; c < columns.Length; c++)
            {
                result.Data[r].TryGetValue(columns[c], out object? cell);
                try
                {
                    values[c] = TabularValues.Normalize(cell);
                }
                catch (ArgumentException)
                {
                    throw new DataFileException(path, r + 1,
                        $"Column '{columns[c]}' holds a {cell!.GetType().Name} value, which datasets here do not " +
                        "support.", "convert the column to strings, numbers, booleans or lists of those.");
                }
            }
            rows.Add(values);
        }
        return Finish(path, columns, rows, r => r + 1, "row");
    }

    private static TabularDataset Finish(string path, string[] columns, List<object?[]> rows,
        Func<int, long> lineOf, string unit)
    {
        object?[][] array = rows.ToArray();
        var kinds = new TabularColumnKind[columns.Length];
        for (int c = 0; c < columns.Length; c++)
        {
            string column = columns[c];
            kinds[c] = TabularDataset.UnifyColumn(array, c, (row, found, expected) => new DataFileException(path,
                lineOf(row), $"Column '{column}' holds a {found} value here but {expected} values in earlier {unit}s.",
                $"make every value of '{column}' the same type (e.g. all strings or all numbers)."));
        }
        return TabularDataset.FromTrusted(columns, array, kinds, path);
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end > 0 ? message[..end] : message).TrimEnd('.');
    }
}
