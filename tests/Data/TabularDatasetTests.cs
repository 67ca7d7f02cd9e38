using StTrain.Core.Data;
using Xunit;

namespace StTrain.Tests.Data;

public sealed class TabularDatasetTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("st-train-tabular-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Write(string name, string content)
    {
        string path = Path.Combine(root, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Jsonl_keeps_column_order_and_value_types()
    {
        string path = Write("a.jsonl",
            "{\"anchor\": \"a dog\", \"n\": 3, \"x\": 0.5, \"ok\": true, \"tags\": [\"p\", \"q\"], \"note\": null}\n" +
            "\n" +
            "{\"note\": \"later\", \"tags\": [], \"ok\": false, \"x\": 2, \"n\": -1, \"anchor\": \"a cat\"}\n");
        var data = TabularDataset.Load(path);

        Assert.Equal(["anchor", "n", "x", "ok", "tags", "note"], data.ColumnNames);
        Assert.Equal(2, data.Count);
        Assert.Equal("a dog", data[0, "anchor"]);
        Assert.Equal(3L, data[0, "n"]);
        Assert.Equal(0.5, data[0, "x"]);
        Assert.Equal(2.0, data[1, "x"]); // an integer in a float column becomes a float
        Assert.Equal(TabularColumnKind.Float, data.GetKind("x"));
        Assert.Equal(TabularColumnKind.Integer, data.GetKind("n"));
        Assert.Equal(true, data[0, "ok"]);
        Assert.Equal(new object?[] { "p", "q" }, (object?[])data[0, "tags"]!);
        Assert.Null(data[0, "note"]);
        Assert.Equal("later", data[1, "note"]);
        Assert.Equal(TabularColumnKind.String, data.GetKind("note"));
    }

    [Theory]
    [InlineData("{\"a\": \"x\"}\n{\"a\": \"y\"}\n{\"a\": \"z\",}\n", 3, "not valid JSON")]
    [InlineData("{\"a\": \"x\", \"b\": 1}\n{\"a\": \"y\"}\n", 2, "'b'")]
    [InlineData("{\"a\": \"x\"}\n{\"a\": \"y\", \"c\": 2}\n", 2, "'c'")]
    [InlineData("{\"a\": \"x\"}\n\n{\"a\": 5}\n", 3, "integer value")]
    [InlineData("[1, 2]\n", 1, "not an object")]
    [InlineData("{\"a\": {\"nested\": 1}}\n", 1, "JSON object")]
    public void Jsonl_errors_name_the_file_and_line(string content, int line, string problem)
    {
        string path = Write("bad.jsonl", content);
        var error = Assert.Throws<DataFileException>(() => TabularDataset.Load(path));
        Assert.Equal(line, error.Line);
        Assert.Equal(path, error.FilePath);
        Assert.StartsWith($"{path}:{line}: ", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Contains("Fix: ", error.Message);
    }

    [Fact]
    public void Json_reads_records_and_columns_and_reports_the_line_of_a_bad_record()
    {
        var records = TabularDataset.Load(Write("r.json",
            "[\n  {\"q\": \"a\", \"s\": 1},\n  {\"q\": \"b\", \"s\": 0.25}\n]\n"));
        Assert.Equal(["q", "s"], records.ColumnNames);
        Assert.Equal(0.25, records[1, "s"]);
        Assert.Equal(1.0, records[0, "s"]);

        var columns = TabularDataset.Load(Write("c.json", "{\"q\": [\"a\", \"b\", \"c\"], \"label\": [1, 0, 1]}"));
        Assert.Equal(3, columns.Count);
        Assert.Equal(["a", "b", "c"], columns.GetStrings("q"));
        Assert.Equal([1.0, 0.0, 1.0], columns.GetDoubles("label"));

        string bad = Write("bad.json", "[\n  {\"q\": \"a\"},\n  {\"q\": \"b\"},\n  {\"q\": 7}\n]");
        var error = Assert.Throws<DataFileException>(() => TabularDataset.Load(bad));
        Assert.Equal(4, error.Line);

        string syntax = Write("syntax.json", "[\n  {\"q\": \"a\"},\n  {\"q\" \"b\"}\n]");
        Assert.Equal(3, Assert.Throws<DataFileException>(() => TabularDataset.Load(syntax)).Line);
    }

    [Fact]
    public void Csv_handles_quotes_commas_line_breaks_and_infers_types()
    {
        string path = Write("d.csv",
            "sentence1,sentence2,score,flag\n" +
            "\"a, b\",plain,0.5,true\n" +
            "\"two\nlines\",\"say \"\"hi\"\"\",1,false\n" +
            "\"\",,2,\n");
        var data = TabularDataset.Load(path);
        Assert.Equal(3, data.Count);
        Assert.Equal("a, b", data[0, "sentence1"]);
        Assert.Equal("two\nlines", data[1, "sentence1"]);
        Assert.Equal("say \"hi\"", data[1, "sentence2"]);
        Assert.Equal("", data[2, "sentence1"]); // quoted empty = empty string
        Assert.Null(data[2, "sentence2"]); // unquoted empty = null
        Assert.Equal(TabularColumnKind.Float, data.GetKind("score"));
        Assert.Equal(1.0, data[1, "score"]);
        Assert.Equal(TabularColumnKind.Boolean, data.GetKind("flag"));
        Assert.Null(data[2, "flag"]);

        // The record on physical lines 5-6 is the one with too many fields.
        string bad = Write("bad.csv", "a,b\n1,2\n\"x\ny\",3\n\"multi\nline\",4,5\n");
        var error = Assert.Throws<DataFileException>(() => TabularDataset.Load(bad));
        Assert.Equal(5, error.Line);
        Assert.Contains("3 fields", error.Message);
        Assert.Equal(2, Assert.Throws<DataFileException>(() =>
            TabularDataset.Load(Write("open.csv", "a\n\"never closed\n"))).Line);
    }

    [Fact]
    public void Tsv_reads_tab_separated_columns()
    {
        var data = TabularDataset.Load(Write("d.tsv", "text\tlabel\nhello, world\t3\nbye\t4\n"));
        Assert.Equal("hello, world", data[0, "text"]);
        Assert.Equal(4L, data[1, "label"]);
    }

    [Fact]
    public void Parquet_round_trips_scalars_and_lists()
    {
        var data = new TabularDataset(["query", "n", "score", "flag", "docs", "scores"],
        [
            ["q1", 1L, 0.5, true, new object?[] { "d1", "d2" }, new object?[] { 0.9, 0.1 }],
            ["q2", null, 1.25, false, new object?[] { "d3" }, new object?[] { 1.0 }],
        ]);
        string path = Path.Combine(root, "d.parquet");
        data.Save(path);
        var loaded = TabularDataset.Load(path);
        Assert.Equal(data.ColumnNames, loaded.ColumnNames);
        Assert.Equal(["q1", "q2"], loaded.GetStrings("query"));
        Assert.Equal(1L, loaded[0, "n"]);
        Assert.Null(loaded[1, "n"]);
        Assert.Equal([0.5, 1.25], loaded.GetDoubles("score"));
        Assert.Equal(false, loaded[1, "flag"]);
        Assert.Equal(["d1", "d2"], loaded.GetStringLists("docs")[0]);
        Assert.Equal(new object?[] { 0.9, 0.1 }, (object?[])loaded[0, "scores"]!);

        string broken = Write("broken.parquet", "not parquet at all");
        var error = Assert.Throws<DataFileException>(() => TabularDataset.Load(broken));
        Assert.Contains("Parquet", error.Message);
    }

    [Fact]
    public void Jsonl_save_round_trips_byte_identically()
    {
        var data = new TabularDataset(["anchor", "score", "list"],
        [
            ["café \"quoted\" <b>", 0.1, new object?[] { 1L, 2.5, "x" }],
            ["plain", 3.0, new object?[0]],
        ]);
        string first = Path.Combine(root, "one.jsonl");
        string second = Path.Combine(root, "two.jsonl");
        data.Save(first);
        TabularDataset.Load(first).Save(second);
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        Assert.Equal("{\"anchor\":\"café \\\"quoted\\\" <b>\",\"score\":0.1,\"list\":[1,2.5,\"x\"]}",
            File.ReadAllLines(first)[0]);
    }

    [Fact]
    public void Select_rename_take_and_shuffle()
    {
        var rows = Enumerable.Range(0, 50).Select(i => (IReadOnlyList<object?>)new object?[] { $"t{i}", (long)i });
        var data = new TabularDataset(["text", "id"], rows);

        var selected = data.Select("id", "text");
        Assert.Equal(["id", "text"], selected.ColumnNames);
        Assert.Equal(7L, selected[7, "id"]);
        var missing = Assert.Throws<ArgumentException>(() => data.Select("label"));
        Assert.Contains("Available columns: text, id", missing.Message);

        var renamed = data.Rename(new Dictionary<string, string> { ["text"] = "anchor" });
        Assert.Equal(["anchor", "id"], renamed.ColumnNames);
        Assert.Throws<ArgumentException>(() => data.Rename(new Dictionary<string, string> { ["text"] = "id" }));

        Assert.Equal(5, data.Take(5).Count);
        Assert.Equal(50, data.Take(500).Count);
        Assert.Equal(45, data.Skip(5).Count);

        var a = data.Shuffle(3).GetColumn("id");
        var b = data.Shuffle(3).GetColumn("id");
        var c = data.Shuffle(4).GetColumn("id");
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(data.GetColumn("id"), a);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (object?)(long)i), a.OrderBy(v => (long)v!));
        Assert.Equal(0L, data[0, "id"]); // the original is untouched
    }

    [Fact]
    public void Typed_getters_name_the_row_and_constructor_rejects_mixed_types()
    {
        var data = new TabularDataset(["text"], [["a"], [null]]);
        var error = Assert.Throws<ArgumentException>(() => data.GetStrings("text"));
        Assert.Contains("row 1", error.Message);
        var mixed = Assert.Throws<ArgumentException>(() => new TabularDataset(["v"], [["a"], [1L]]));
        Assert.Contains("row 1", mixed.Message);
    }

    [Fact]
    public void Unknown_extension_and_missing_file_explain_the_fix()
    {
        var ext = Assert.Throws<DataFileException>(() => TabularDataset.Load(Write("d.xlsx", "x")));
        Assert.Contains(".jsonl", ext.Fix);
        var missing = Assert.Throws<DataFileException>(() => TabularDataset.Load(Path.Combine(root, "nope.jsonl")));
        Assert.Contains("does not exist", missing.Message);
    }
}
