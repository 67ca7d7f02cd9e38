using StTrain.Core.Data;
using StTrain.Core.Training.Spec;
using StTrain.Server.Commands;
using StTrain.Tests.Support;
using Xunit;

namespace StTrain.Tests.Training;

/// <summary>
/// The CLI's wording for command-line and path mistakes: each says what is wrong with the user's own words (the
/// option, the folder, the file) and what to write instead, and nothing is half-built before the refusal. An
/// exception no command expected still ends in one line and exit code 1, without a stack trace.
/// </summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("st-train-cli-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Refusal(Func<int> command) => Assert.Throws<UsageException>(() => command()).Message;

    [Fact]
    public void An_unknown_option_at_the_end_of_the_line_is_called_unknown_not_short_of_a_value()
    {
        Assert.Equal("unknown option --bogus. This command knows: --overwrite, --resume.",
            Refusal(() => RunCommand.Run(["runs/x/spec.yaml", "--bogus"], smoke: false)));
        Assert.StartsWith("unknown option --bogus.", Refusal(() => RunCommand.Run(["--bogus", "--resume"], false)),
            StringComparison.Ordinal);

        // A known option without its value still says so.
        var cli = new CommandLine(["--model"]);
        Assert.Equal("--model needs a value (write --model VALUE).",
            Assert.Throws<UsageException>(() => cli.Require("model", "a model")).Message);
    }

    [Fact]
    public void Smoke_says_it_takes_no_options_instead_of_an_empty_list()
    {
        string message = Refusal(() => RunCommand.Run(["runs/x/spec.yaml", "--overwrite"], smoke: true));
        Assert.Equal("unknown option --overwrite. This command takes no options. (--resume and --overwrite are " +
                     "options of train.)", message);
        Assert.DoesNotContain("knows: .", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Commands_with_a_declared_option_list_refuse_at_once_and_list_them()
    {
        Assert.Equal("unknown option --bogus. This command knows: --dict, --no-fetch, --out.",
            Assert.Throws<UsageException>(() => CommandLine.Parse(["--out", "x", "--bogus"], ["out", "dict"],
                ["no-fetch"])).Message);
        Assert.Equal("--out needs a value (write --out VALUE).",
            Assert.Throws<UsageException>(() => CommandLine.Parse(["--out"], ["out"], [])).Message);
        Assert.Equal("--no-fetch takes no value.",
            Assert.Throws<UsageException>(() => CommandLine.Parse(["--no-fetch=yes"], ["out"], ["no-fetch"])).Message);
        var parsed = CommandLine.Parse(["--out=d", "--no-fetch", "pos"], ["out"], ["no-fetch"]);
        Assert.Equal("d", parsed.Get("out"));
        Assert.True(parsed.Has("no-fetch"));
        Assert.Equal(["pos"], parsed.Positional);
    }

    [Fact]
    public void Encode_names_folders_empty_inputs_and_the_input_itself_as_such()
    {
        string input = Write("texts.txt", "a dog\n");
        string empty = Write("empty.txt", "");
        string model = Path.Combine(root, "no-model");
        Assert.Equal($"--input '{root}' is a folder; give a text file with one text per line.",
            Refusal(() => EncodeCommand.Run(["--model", model, "--input", root, "--output", "o.jsonl"])));
        Assert.Equal($"--output '{root}' is a folder; give a file path such as {Path.Combine(root, "embeddings.jsonl")}.",
            Refusal(() => EncodeCommand.Run(["--model", model, "--input", input, "--output", root])));
        Assert.Contains("is empty, so there is nothing to encode",
            Refusal(() => EncodeCommand.Run(["--model", model, "--input", empty, "--output", "o.jsonl"])),
            StringComparison.Ordinal);

        // The same file under another name (a symbolic link) is still the input.
        string link = Path.Combine(root, "link.txt");
        File.CreateSymbolicLink(link, input);
        Assert.Contains("is the same file as --input",
            Refusal(() => EncodeCommand.Run(["--model", model, "--input", input, "--output", link])),
            StringComparison.Ordinal);
        Assert.Equal("a dog\n", File.ReadAllText(input));
    }

    [Fact]
    public void Encode_creates_the_missing_folder_of_its_output()
    {
        string model = Path.Combine(root, "model");
        using (var tiny = TinyModels.Create()) tiny.Save(model);
        string input = Write("texts.txt", "a dog\nthe red car\n");
        string output = Path.Combine(root, "new", "nested", "vectors.jsonl");
        Assert.Equal(0, EncodeCommand.Run(["--model", model, "--input", input, "--output", output]));
        Assert.Equal(2, File.ReadAllLines(output).Length);

        // A file where the folder should be cannot become one: said in one line, before the model loads.
        Write("blocker", "");
        Assert.Contains("does not exist and cannot be created",
            Refusal(() => EncodeCommand.Run(["--model", Path.Combine(root, "no-model"), "--input", input,
                "--output", Path.Combine(root, "blocker", "vectors.jsonl")])), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_on_a_folder_says_it_is_a_folder_and_points_at_the_spec_inside()
    {
        Write("runs/demo/spec.yaml", "run_name: demo\n");
        var inRuns = Assert.Throws<SpecException>(() => RunCommand.Validate([Path.Combine(root, "runs")]));
        Assert.Equal("this is a folder, not a spec file", inRuns.Problem);
        var inRun = Assert.Throws<SpecException>(() => RunCommand.Validate([Path.Combine(root, "runs", "demo")]));
        Assert.Equal($"give the spec file inside it: {Path.Combine(root, "runs", "demo", "spec.yaml")}", inRun.Fix);
    }

    [Fact]
    public void A_folder_given_as_a_data_file_is_called_a_folder()
    {
        Assert.Equal("This is a folder, not a data file.",
            Assert.Throws<DataFileException>(() => TabularDataset.Load(root)).Problem);
        var loss = Assert.Throws<SpecException>(() => LossCommand.Run(["--model", Path.Combine(root, "no-model"),
            "--loss", "MultipleNegativesRankingLoss", "--data", root]));
        Assert.Equal($"'{root}' is a folder, not a data file", loss.Problem);
    }

    [Fact]
    public void Data_wordnet_refuses_an_existing_file_as_out_before_reading_wordnet()
    {
        string file = Write("taken.txt", "keep me");
        // --dict names nothing: reaching WordNet would exit 1, so exit 2 proves the check comes first.
        Assert.Equal(2, DataCommand.Run(["wordnet", "--out", file, "--dict", Path.Combine(root, "no-dict"),
            "--no-fetch"]));
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public void Mine_hard_negatives_never_writes_over_its_dataset_even_through_a_link()
    {
        string dataset = Write("pairs.jsonl", "{\"anchor\": \"tea\", \"positive\": \"a drink\"}\n");
        string link = Path.Combine(root, "alias.jsonl");
        File.CreateSymbolicLink(link, dataset);
        string model = Path.Combine(root, "no-model");
        Assert.Equal(2, MineHardNegativesCommand.Run(["--dataset", dataset, "--model", model, "--out", dataset]));
        Assert.Equal(2, MineHardNegativesCommand.Run(["--dataset", dataset, "--model", model, "--out", link]));
        Assert.Equal(2, MineHardNegativesCommand.Run(["--dataset", Path.Combine(root, ".", "pairs.jsonl"),
            "--model", model, "--out", dataset]));
        Assert.Equal("{\"anchor\": \"tea\", \"positive\": \"a drink\"}\n", File.ReadAllText(dataset));
        Assert.NotNull(FilePaths.OverwritesInput(link, "--dataset", dataset, "--out"));
        Assert.Null(FilePaths.OverwritesInput(dataset, "--dataset", Path.Combine(root, "mined.jsonl"), "--out"));
    }

    [Fact]
    public void Score_and_rank_windows_that_can_hold_nothing_are_refused_in_the_shared_options()
    {
        var scores = Assert.Throws<ArgumentException>(() =>
            new HardNegativeMiningOptions { MinScore = 0.9, MaxScore = 0.1 }.Validate());
        Assert.Contains("min_score (0.9) is above max_score (0.1)", scores.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", scores.Message, StringComparison.Ordinal);
        new HardNegativeMiningOptions { MinScore = 0.5, MaxScore = 0.5 }.Validate();

        var ranks = Assert.Throws<ArgumentException>(() =>
            new HardNegativeMiningOptions { RangeMin = 4, RangeMax = 4 }.Validate());
        Assert.Contains("range_max (4) must be greater than range_min (4)", ranks.Message, StringComparison.Ordinal);

        // The CLI gets the same refusal before any model loads, and writes nothing.
        string dataset = Write("pairs.jsonl", "{\"anchor\": \"tea\", \"positive\": \"a drink\"}\n");
        string output = Path.Combine(root, "mined.jsonl");
        Assert.Equal(1, MineHardNegativesCommand.Run(["--dataset", dataset, "--model", Path.Combine(root, "none"),
            "--out", output, "--min-score", "0.9", "--max-score", "0.1"]));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_model_folder_with_broken_json_is_reported_as_that_file_with_the_fix()
    {
        string model = Path.Combine(root, "broken-model");
        Write("broken-model/modules.json", "{{ not json");
        Write("broken-model/config.json", "{}");
        string input = Write("texts.txt", "a dog\n");
        var run = CliProcess.Run(root, ["encode", "--model", model, "--input", input, "--output",
            Path.Combine(root, "o.jsonl")]);
        Assert.Equal(1, run.Code);
        string line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(Path.Combine(model, "modules.json") + " is not valid JSON at line 1", line, StringComparison.Ordinal);
        Assert.Contains("Fix: restore this file", line, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected", line, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unexpected_exception_is_one_line_asking_for_a_report_with_the_stack_only_on_request()
    {
        Exception error;
        try
        {
            throw new KeyNotFoundException("no entry 'x'\nsecond line");
        }
        catch (KeyNotFoundException thrown)
        {
            error = thrown;
        }

        string plain = StTrain.Server.Cli.UnexpectedMessage("encode", error, debug: false);
        string line = Assert.Single(plain.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("st-train encode: unexpected KeyNotFoundException: no entry 'x'. ", line, StringComparison.Ordinal);
        Assert.Contains("bug in st-train", line, StringComparison.Ordinal);
        Assert.Contains("ST_TRAIN_DEBUG=1", line, StringComparison.Ordinal);

        string debug = StTrain.Server.Cli.UnexpectedMessage("encode", error, debug: true);
        Assert.Contains("   at ", debug, StringComparison.Ordinal);
    }
}
