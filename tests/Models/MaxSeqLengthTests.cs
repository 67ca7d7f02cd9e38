using System.Text.Json.Nodes;
using StTrain.Core.Models;
using StTrain.Core.Training;
using StTrain.Core.Training.Spec;
using StTrain.Server.Commands;
using StTrain.Tests.Support;
using Xunit;

namespace StTrain.Tests.Models;

/// <summary>
/// max_seq_length can never exceed the position table (max_position_embeddings; the tiny models have 64): the spec
/// validator refuses it, the setter refuses it, and a saved folder that asks for more is capped with a warning, so
/// a long text never reaches the embedding lookup out of range.
/// </summary>
[Collection("training runs")]
public sealed class MaxSeqLengthTests : IDisposable
{
    private readonly TinyWorkspace workspace = new();

    public void Dispose() => workspace.Dispose();

    /// <summary>About 300 word pieces: far more than the 64 positions.</summary>
    private static readonly string LongText = string.Join(' ', Enumerable.Range(0, 300)
        .Select(i => TinyModels.Words[i % 50]).Where(w => !w.StartsWith('#')));

    private string SaveWithSbertMaxSeqLength(int maxSeqLength)
    {
        // A copy of the workspace's model, so the weights are the same as the reference's.
        string folder = Path.Combine(workspace.Root, $"model-{maxSeqLength}");
        foreach (string file in Directory.GetFiles(workspace.ModelPath, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(folder, Path.GetRelativePath(workspace.ModelPath, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        string config = Path.Combine(folder, "sentence_bert_config.json");
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        json["max_seq_length"] = maxSeqLength;
        File.WriteAllText(config, json.ToJsonString());
        return folder;
    }

    private string SpecWithMaxSeqLength(string name, int maxSeqLength)
    {
        string spec = workspace.WriteSpec(name, "max_steps: 1");
        string yaml = File.ReadAllText(spec).Replace($"  id: {workspace.ModelPath}\n",
            $"  id: {workspace.ModelPath}\n  max_seq_length: {maxSeqLength}\n", StringComparison.Ordinal);
        Assert.Contains("max_seq_length", yaml, StringComparison.Ordinal);
        File.WriteAllText(spec, yaml);
        return spec;
    }

    [Fact]
    public void A_saved_max_seq_length_beyond_the_positions_is_capped_with_a_warning()
    {
        string folder = SaveWithSbertMaxSeqLength(100_000);
        using var capped = SentenceTransformer.Load(folder);
        Assert.Equal(64, capped.MaxSeqLength);
        string warning = Assert.Single(capped.Warnings);
        Assert.Contains("max_seq_length 100000", warning, StringComparison.Ordinal);
        Assert.Contains("max_position_embeddings 64", warning, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(folder, "sentence_bert_config.json"), warning, StringComparison.Ordinal);

        // The capped model embeds a text longer than its positions exactly as the same weights truncated to 64.
        using var reference = SentenceTransformer.Load(workspace.ModelPath);
        Assert.Empty(reference.Warnings);
        reference.MaxSeqLength = 64;
        Assert.Equal(64, capped.Tokenize([LongText])[Features.InputIds].shape[1]);
        float[] expected = reference.Encode([LongText])[0], actual = capped.Encode([LongText])[0];
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void The_setter_refuses_a_length_beyond_the_positions_and_accepts_the_limit()
    {
        using var model = TinyModels.Create();
        var error = Assert.Throws<ArgumentException>(() => model.MaxSeqLength = 65);
        Assert.Contains("max_position_embeddings is 64", error.Message, StringComparison.Ordinal);
        Assert.Contains("at most 64", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => model.MaxSeqLength = 0);
        Assert.Equal(32, model.MaxSeqLength);
        model.MaxSeqLength = 64;
        Assert.Single(model.Encode([LongText]));
    }

    [Fact]
    public void The_validator_refuses_a_max_seq_length_beyond_the_model_positions_naming_the_limit()
    {
        var tooLong = RunSpec.Load(SpecWithMaxSeqLength("too-long", 65));
        var error = Assert.Single(RunSpecValidator.ValidateModel(tooLong));
        Assert.Equal("model.max_seq_length", error.Field);
        Assert.Contains("max_position_embeddings 64", error.Problem, StringComparison.Ordinal);
        Assert.Contains("at most 64", error.Fix, StringComparison.Ordinal);
        Assert.Equal(2, RunCommand.Validate([tooLong.SourcePath]));

        Assert.Empty(RunSpecValidator.ValidateModel(RunSpec.Load(SpecWithMaxSeqLength("at-limit", 64))));

        var zero = RunSpec.Load(SpecWithMaxSeqLength("zero", 0));
        Assert.Contains(RunSpecValidator.ValidateStatic(zero), e => e.Field == "model.max_seq_length");

        var missing = tooLong with { Model = new ModelSpec { Id = Path.Combine(workspace.Root, "no-such-model") } };
        Assert.Equal("model.id", Assert.Single(RunSpecValidator.ValidateModel(missing)).Field);
    }

    [Fact]
    public void A_run_with_a_max_seq_length_beyond_the_positions_fails_as_a_spec_error_before_training()
    {
        var runs = new RunWorkspace(workspace.Root);
        string spec = SpecWithMaxSeqLength("huge", 100_000);
        Assert.Equal(1, RunExecutor.Execute(spec, smoke: true, runs));
        string result = File.ReadAllText(Path.Combine(runs.RunDirectory("huge"), "smoke_result.json"));
        string error = JsonNode.Parse(result)!["error"]!.GetValue<string>();
        Assert.Contains("model.max_seq_length", error, StringComparison.Ordinal);
        Assert.Contains("max_position_embeddings 64", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_with_an_over_long_saved_model_warns_and_embeds_a_long_text()
    {
        string folder = SaveWithSbertMaxSeqLength(100_000);
        string input = Path.Combine(workspace.Root, "long.txt");
        File.WriteAllText(input, LongText + "\nthe dog\n");
        string output = Path.Combine(workspace.Root, "long.jsonl");
        var outcome = CliProcess.Run(workspace.Root, "encode", "--model", folder, "--input", input,
            "--output", output);
        Assert.True(outcome.Code == 0, outcome.Stderr);
        Assert.Contains("warning: ", outcome.Stderr, StringComparison.Ordinal);
        Assert.Contains("max_position_embeddings 64", outcome.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, File.ReadAllLines(output).Length);
    }
}
