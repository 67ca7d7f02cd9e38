using System.Text;
using StTrain.Core.Data;
using StTrain.Core.Training.Spec;
using StTrain.Server.Commands;
using StTrain.Tests.Support;
using Xunit;

namespace StTrain.Tests.Data;

/// <summary>
/// Text files that are not UTF-8 (here Latin-1, as Excel and old editors write them) are refused with the file, the
/// line, the byte offset and the iconv fix by every reader of user text, instead of turning into U+FFFD; a UTF-8 byte
/// order mark is still accepted.
/// </summary>
public sealed class Utf8InputTests : IDisposable
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];
    private readonly string root = Directory.CreateTempSubdirectory("st-train-utf8-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(root, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string WriteLatin1(string name, string text) => Write(name, Encoding.Latin1.GetBytes(text));

    private static void AssertNotUtf8(DataFileException error, long line, int offset, byte value)
    {
        Assert.Equal(line, error.Line);
        Assert.Contains($"byte 0x{value:X2} at byte offset {offset}", error.Problem, StringComparison.Ordinal);
        Assert.Contains("iconv -f latin1 -t utf-8", error.Fix, StringComparison.Ordinal);
        Assert.Contains($"{error.FilePath}:{line}:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_latin1_jsonl_dataset_names_the_line_and_the_byte()
    {
        string first = "{\"anchor\": \"tea\", \"positive\": \"a drink\"}\n";
        string path = WriteLatin1("pairs.jsonl", first + "{\"anchor\": \"caf\u00e9\", \"positive\": \"coffee\"}\n");
        var error = Assert.Throws<DataFileException>(() => TabularDataset.Load(path));
        // "café" in Latin-1 ends with the single byte 0xE9, which starts no UTF-8 character followed by '"'.
        AssertNotUtf8(error, 2, first.Length + "{\"anchor\": \"caf".Length, 0xE9);
    }

    [Theory]
    [InlineData("pairs.csv", "anchor,positive\ntea,a drink\ncaf\u00e9,coffee\n", 3)]
    [InlineData("pairs.tsv", "anchor\tpositive\ntea\ta drink\ncaf\u00e9\tcoffee\n", 3)]
    [InlineData("pairs.json", "[\n{\"anchor\": \"tea\", \"positive\": \"a drink\"},\n{\"anchor\": \"caf\u00e9\"," +
                              " \"positive\": \"coffee\"}\n]\n", 3)]
    public void Csv_tsv_and_json_datasets_are_read_strictly_too(string name, string text, int line)
    {
        string path = WriteLatin1(name, text);
        var error = Assert.Throws<DataFileException>(() => TabularDataset.Load(path));
        AssertNotUtf8(error, line, text.IndexOf('\u00e9', StringComparison.Ordinal), 0xE9);
    }

    [Fact]
    public void A_bad_byte_far_beyond_the_first_read_buffer_gets_its_own_line()
    {
        // The decoder fails in a later buffer; the location must still be counted from the start of the file.
        var text = new StringBuilder();
        for (int i = 0; i < 5000; i++) text.Append("{\"text\": \"line number ").Append(i).Append("\"}\n");
        int offset = text.Length + "{\"text\": \"".Length;
        text.Append("{\"text\": \"na\u00efve\"}\n");
        string path = WriteLatin1("long.jsonl", text.ToString());
        var error = Assert.Throws<DataFileException>(() => TabularDataset.Load(path));
        AssertNotUtf8(error, 5001, offset + 2, 0xEF);
    }

    [Fact]
    public void A_character_cut_off_by_the_end_of_the_file_is_refused()
    {
        byte[] bytes = [.. "ok\ncaf"u8.ToArray(), 0xC3]; // the first byte of UTF-8 'é' without its second byte
        string path = Write("cut.txt", bytes);
        var error = Assert.Throws<DataFileException>(() => Utf8TextFile.ReadAllLines(path));
        AssertNotUtf8(error, 2, 6, 0xC3);
    }

    [Fact]
    public void Utf8_with_and_without_a_byte_order_mark_reads_unchanged()
    {
        const string text = "caf\u00e9 \u00fcber \u65e5\u672c \U0001F600";
        Assert.Equal([text, "two"], Utf8TextFile.ReadAllLines(Write("plain.txt", Encoding.UTF8.GetBytes(text + "\ntwo\n"))));
        Assert.Equal([text, "two"], Utf8TextFile.ReadAllLines(Write("bom.txt", [.. Bom, .. Encoding.UTF8.GetBytes(text + "\ntwo\n")])));

        foreach (var (name, content) in new[]
                 {
                     ("bom.jsonl", $"{{\"anchor\": \"{text}\", \"positive\": \"p\"}}\n"),
                     ("bom.csv", $"anchor,positive\n{text},p\n"),
                     ("bom.json", $"[{{\"anchor\": \"{text}\", \"positive\": \"p\"}}]"),
                 })
        {
            var data = TabularDataset.Load(Write(name, [.. Bom, .. Encoding.UTF8.GetBytes(content)]));
            Assert.Equal(["anchor", "positive"], data.ColumnNames); // no U+FEFF glued to the first column name
            Assert.Equal(text, data[0, "anchor"]);
        }
    }

    [Fact]
    public void A_latin1_spec_is_a_spec_error_at_its_line()
    {
        string path = WriteLatin1("spec.yaml", "run_name: demo\nmodel:\n  id: caf\u00e9-model\n");
        var error = Assert.Throws<SpecException>(() => RunSpec.Load(path));
        Assert.Equal("spec", error.Field);
        Assert.Equal($"{path}:3", error.Location);
        Assert.Contains("not UTF-8", error.Problem, StringComparison.Ordinal);
        Assert.Contains("iconv", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void The_loss_command_refuses_a_latin1_data_file_before_loading_a_model()
    {
        string data = WriteLatin1("loss.jsonl", "{\"anchor\": \"caf\u00e9\", \"positive\": \"coffee\"}\n");
        var error = Assert.Throws<SpecException>(() => LossCommand.Run(
            ["--model", Path.Combine(root, "no-model"), "--loss", "MultipleNegativesRankingLoss", "--data", data]));
        Assert.Equal($"{data}:1", error.Location);
        Assert.Contains("not UTF-8", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Mine_hard_negatives_refuses_a_latin1_corpus_and_writes_nothing()
    {
        string dataset = Write("pairs.jsonl", "{\"anchor\": \"tea\", \"positive\": \"a drink\"}\n"u8.ToArray());
        string corpus = WriteLatin1("corpus.txt", "water\ncaf\u00e9 au lait\n");
        string output = Path.Combine(root, "mined.jsonl");
        // The corpus is read before the model loads, so no model is needed to see the refusal.
        Assert.Equal(1, MineHardNegativesCommand.Run(["--dataset", dataset, "--model", Path.Combine(root, "none"),
            "--out", output, "--corpus", corpus]));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Encode_refuses_a_latin1_input_file_with_one_line_and_exit_code_1()
    {
        string input = WriteLatin1("l1.txt", "caf\u00e9 au lait\n");
        var outcome = CliProcess.Run(root, "encode", "--model", Path.Combine(root, "no-model"), "--input", input,
            "--output", Path.Combine(root, "out.jsonl"));
        Assert.Equal(1, outcome.Code);
        string error = Assert.Single(outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{input}:1: The file is not UTF-8 text: byte 0xE9 at byte offset 3", error,
            StringComparison.Ordinal);
        Assert.Contains("iconv", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(root, "out.jsonl")));
    }
}
