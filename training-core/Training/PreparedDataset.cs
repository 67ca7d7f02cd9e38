using System.Globalization;
using StTrain.Core.Data;
using StTrain.Core.Training.Spec;
using static TorchSharp.torch;

namespace StTrain.Core.Training;

/// <summary>
/// A dataset shaped for training: the selected columns in input order, and the label column (named "label" or
/// "score") split off. Inputs are matched to a loss by position, never by name.
/// </summary>
public sealed class PreparedDataset
{
    public static readonly string[] LabelColumnNames = ["label", "score"];

    public string Name { get; }
    public TabularDataset Data { get; }
    public IReadOnlyList<string> InputColumns { get; }
    public string? LabelColumn { get; }
    public string SourcePath { get; }

    private PreparedDataset(string name, TabularDataset data, string sourcePath)
    {
        Name = name;
        Data = data;
        SourcePath = sourcePath;
        LabelColumn = data.ColumnNames.FirstOrDefault(c => LabelColumnNames.Contains(c));
        InputColumns = data.ColumnNames.Where(c => c != LabelColumn).ToList();
    }

    public int Count => Data.Count;

    public int? LabelIndex => LabelColumn is null ? null : Data.IndexOf(LabelColumn);

    public IReadOnlyList<IReadOnlyList<object?>> Rows =>
        Enumerable.Range(0, Data.Count).Select(Data.GetRow).ToList();

    /// <summary>Loads, renames, selects and caps the dataset a spec section describes.</summary>
    public static PreparedDataset Load(DatasetSpec spec, Func<string, string> resolve, int? cap = null)
    {
        string path = resolve(spec.Path);
        if (Directory.Exists(path))
            throw new SpecException($"{spec.Field}.path", spec.Location, $"'{path}' is a folder, not a data file",
                "point to a .jsonl, .json, .csv, .tsv or .parquet file inside it");
        if (!File.Exists(path))
            throw new SpecException($"{spec.Field}.path", spec.Location, $"the file '{path}' does not exist",
                "give a path relative to the spec's folder or to the workspace root, " +
                "or generate the data with `./st-train data wordnet --out data/wordnet`");
        TabularDataset data;
        try
        {
            data = TabularDataset.Load(path);
        }
        catch (DataFileException error)
        {
            // A spec finding (field, file:line, problem, fix) rather than an exception the CLI would not expect.
            string where = error.Line is long line ? $"{error.FilePath}:{line}" : error.FilePath;
            throw new SpecException($"{spec.Field}.path", where, error.Problem.TrimEnd('.'), error.Fix.TrimEnd('.'));
        }
        if (spec.Rename.Count > 0)
        {
            foreach (string old in spec.Rename.Keys.Where(k => !data.HasColumn(k)))
                throw new SpecException($"{spec.Field}.rename", spec.Location, $"column '{old}' is not in {path}",
                    $"rename one of its columns: {string.Join(", ", data.ColumnNames)}");
            data = data.Rename(spec.Rename);
        }
        if (spec.Columns is { Count: > 0 } columns)
        {
            foreach (string column in columns.Where(c => !data.HasColumn(c)))
                throw new SpecException($"{spec.Field}.columns", spec.Location, $"column '{column}' is not in {path}",
                    $"choose from: {string.Join(", ", data.ColumnNames)}");
            data = data.Select(columns);
        }
        int limit = Math.Min(spec.MaxRows ?? int.MaxValue, cap ?? int.MaxValue);
        if (data.Count > limit) data = data.Take(limit);
        if (data.Count == 0)
            throw new SpecException(spec.Field, spec.Location, $"{path} has no rows", "point it at a non-empty file");
        return new PreparedDataset(spec.Name, data, path);
    }

    /// <summary>
    /// The texts of input column <paramref name="column"/> for the given rows, with an optional prompt.
    /// </summary>
    public List<string> Texts(int column, int[] rows, string? prompt = null)
    {
        string name = InputColumns[column];
        int index = Data.IndexOf(name);
        var texts = new List<string>(rows.Length);
        foreach (int row in rows)
        {
            if (Data[row, index] is not string text)
                throw new InvalidDataException(
                    $"{SourcePath}: row {row + 1}, column '{name}' is {Describe(Data[row, index])}, not text. Input " +
                    "columns hold text; a numeric target belongs in a column named 'label' or 'score'.");
            texts.Add(prompt is null ? text : prompt + text);
        }
        return texts;
    }

    /// <summary>The first input cell that is not text (null, a number, a list), for validation before training.</summary>
    public (int Row, string Column, string Value)? FirstNonText()
    {
        foreach (string column in InputColumns)
        {
            int index = Data.IndexOf(column);
            for (int row = 0; row < Data.Count; row++)
                if (Data[row, index] is not string) return (row, column, Describe(Data[row, index]));
        }
        return null;
    }

    /// <summary>
    /// The label values of the given rows as a tensor: int64 class ids, float32 scores or [B, K] vectors.
    /// </summary>
    public Tensor? Labels(int[] rows)
    {
        if (LabelIndex is not int index) return null;
        var values = rows.Select(r => Data[r, index]).ToList();
        if (values.All(v => v is long or int)) return tensor(values.Select(Convert.ToInt64).ToArray());
        if (values.All(v => v is long or int or double or float))
            return tensor(values.Select(v => Convert.ToSingle(v, CultureInfo.InvariantCulture)).ToArray());
        if (values.All(v => v is IEnumerable<object?>))
        {
            var vectors = values.Cast<IEnumerable<object?>>()
                .Select(v => v.Select(x => Convert.ToSingle(x, CultureInfo.InvariantCulture)).ToArray())
                .ToList();
            int width = vectors[0].Length;
            if (vectors.Any(v => v.Length != width))
                throw new InvalidDataException(
                    $"{SourcePath}: label vectors of column '{LabelColumn}' differ in length.");
            return tensor(vectors.SelectMany(v => v).ToArray(), [vectors.Count, width]);
        }
        var bad = rows.First(r => Data[r, index] is not (long or int or double or float));
        throw new InvalidDataException(
            $"{SourcePath}: row {bad + 1}, column '{LabelColumn}' is {Describe(Data[bad, index])}; " +
            "labels are numbers (a float score, an integer class) or lists of numbers.");
    }

    /// <summary>What kind of label the column holds: none, integer, float or float vector.</summary>
    public string LabelKindName()
    {
        if (LabelIndex is not int index) return "none";
        var sample = Enumerable.Range(0, Math.Min(Count, 200)).Select(r => Data[r, index]).ToList();
        if (sample.All(v => v is long or int)) return "integer";
        if (sample.All(v => v is long or int or double or float)) return "float";
        if (sample.All(v => v is IEnumerable<object?>)) return "float_vector";
        return "mixed";
    }

    private static string Describe(object? value) => value switch
    {
        null => "empty",
        string s => $"the text '{(s.Length > 40 ? s[..40] + "…" : s)}'",
        IEnumerable<object?> => "a list",
        _ => $"the value {value}",
    };
}
