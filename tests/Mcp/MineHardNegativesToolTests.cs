using System.Text.Json;
using StTrain.Core.Data;
using StTrain.Core.Models;
using StTrain.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace StTrain.Tests.Mcp;

/// <summary>mine_hard_negatives through a real MCP client: a tiny dataset mined by the bundled model in a child
/// process, and refusals for arguments that are wrong or leave the workspace.</summary>
public sealed class MineHardNegativesToolTests
{
    private static readonly (string Anchor, string Positive)[] Pairs =
    [
        ("a domesticated carnivorous mammal that barks", "dog"),
        ("a small domesticated feline", "cat"),
        ("a large body of salt water", "sea"),
        ("a natural stream of water flowing to the sea", "river"),
        ("a tall perennial woody plant", "tree"),
        ("a warm-blooded egg-laying vertebrate with feathers", "bird"),
        ("a motor vehicle with four wheels", "car"),
        ("a building where people live", "house"),
        ("a written work bound between covers", "book"),
        ("the fleshy seed-bearing part of a plant", "fruit"),
        ("a male monarch", "king"),
        ("a large town", "city"),
    ];

    private static string WriteDataset(string workspace)
    {
        var path = Path.Combine(workspace, "data", "pairs.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path,
            Pairs.Select(p => JsonSerializer.Serialize(new { anchor = p.Anchor, positive = p.Positive })));
        return path;
    }

    [Fact]
    public async Task Mines_a_tiny_dataset_in_a_child_process_and_returns_the_path_rows_and_scores()
    {
        await using var session = await ServerSession.StartAsync();
        WriteDataset(session.Workspace);

        var result = await session.CallOkAsync("mine_hard_negatives", new
        {
            dataset = "data/pairs.jsonl", output_path = "data/mined/pairs.jsonl", num_negatives = 2, range_min = 0,
            range_max = 6, sampling_strategy = "top", output_format = "n-tuple",
        });

        Assert.Equal("data/mined/pairs.jsonl", result.GetProperty("output_path").GetString());
        var mined = TabularDataset.Load(Path.Combine(session.Workspace, "data", "mined", "pairs.jsonl"));
        Assert.Equal(mined.Count, result.GetProperty("row_count").GetInt64());
        Assert.Equal(["anchor", "positive", "negative_1", "negative_2"],
            result.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!));
        Assert.Equal(Pairs.Length, mined.Count); // a corpus of 12 positives leaves every anchor 11 candidates
        var positives = Pairs.ToDictionary(p => p.Anchor, p => p.Positive);
        for (var row = 0; row < mined.Count; row++)
        {
            var anchor = (string)mined[row, 0]!;
            Assert.Equal(positives[anchor], mined[row, 1]);
            foreach (var column in new[] { 2, 3 })
            {
                var negative = (string)mined[row, column]!;
                Assert.Contains(negative, positives.Values); // drawn from the corpus of positives ...
                Assert.NotEqual(positives[anchor], negative); // ... never the anchor's own positive
            }
        }

        var summary = result.GetProperty("summary");
        Assert.Equal(Pairs.Length, summary.GetProperty("positive").GetProperty("count").GetInt64());
        Assert.Equal(2 * Pairs.Length, summary.GetProperty("negative").GetProperty("count").GetInt64());
        Assert.Equal(Pairs.Length, summary.GetProperty("corpus_size").GetInt32());
        Assert.Equal(6, summary.GetProperty("range_max").GetInt32());
        var positiveMean = summary.GetProperty("positive").GetProperty("mean").GetDouble();
        var negativeMean = summary.GetProperty("negative").GetProperty("mean").GetDouble();
        Assert.Equal(positiveMean - negativeMean,
            summary.GetProperty("difference").GetProperty("mean").GetDouble(), 4);
        Assert.InRange(positiveMean, -1.0, 1.0); // cosine scores of normalized embeddings
        Assert.True(File.Exists(Path.Combine(session.Workspace, result.GetProperty("log_path").GetString()!)));
    }

    [Fact]
    public async Task An_extra_corpus_file_adds_candidates_and_the_cli_only_options_pass_through()
    {
        await using var session = await ServerSession.StartAsync();
        WriteDataset(session.Workspace);
        string[] extra = ["a small flowering plant", "a body of salt water", "a four-legged domestic animal"];
        File.WriteAllLines(Path.Combine(session.Workspace, "data", "corpus.jsonl"),
            extra.Select(text => JsonSerializer.Serialize(new { text })));

        var result = await session.CallOkAsync("mine_hard_negatives", new
        {
            dataset = "data/pairs.jsonl", output_path = "data/mined/with-corpus.jsonl", num_negatives = 1,
            corpus = "data/corpus.jsonl", batch_size = 5, seed = 3,
        });

        // The corpus is the positives plus the extra texts.
        Assert.Equal(Pairs.Length + extra.Length, result.GetProperty("summary").GetProperty("corpus_size").GetInt32());
        var refused = await session.CallAsync("mine_hard_negatives", new
        {
            dataset = "data/pairs.jsonl", output_path = "data/mined/x.jsonl", corpus = "../outside.jsonl",
        });
        Assert.True(refused.IsError);
        Assert.Contains("corpus", ServerSession.TextOf(refused));
    }

    [Fact]
    public async Task A_cross_encoder_in_the_workspace_rescores_the_candidates()
    {
        await using var session = await ServerSession.StartAsync();
        WriteDataset(session.Workspace);
        using (var biEncoder = TinyModels.Create(normalize: true))
            biEncoder.Save(Path.Combine(session.Workspace, "models", "retriever"));
        manual_seed(21);
        using (var reranker = CrossEncoder.CreateFromScratch(TinyModels.Config(), TinyModels.Tokenizer(), seed: 4,
                   maxLength: 32))
            reranker.Save(Path.Combine(session.Workspace, "models", "reranker"));

        var result = await session.CallOkAsync("mine_hard_negatives", new
        {
            dataset = "data/pairs.jsonl", output_path = "data/mined.jsonl", model = "models/retriever",
            cross_encoder = "models/reranker", num_negatives = 1, max_score = 0.99, output_format = "labeled-pair",
            output_scores = true,
        });

        // The scores written are the reranker's (sigmoid of a logit), not the retriever's cosines.
        var mined = TabularDataset.Load(Path.Combine(session.Workspace, "data", "mined.jsonl"));
        Assert.Equal(mined.Count, result.GetProperty("row_count").GetInt64());
        using var scorer = CrossEncoder.Load(Path.Combine(session.Workspace, "models", "reranker"), CPU);
        for (var row = 0; row < mined.Count; row++)
        {
            var pair = ((string)mined[row, 0]!, (string)mined[row, 1]!);
            Assert.Equal(scorer.Predict([pair])[0], (double)mined[row, 2]!, 1e-5);
        }

        Assert.Empty(result.GetProperty("summary").GetProperty("notes").EnumerateArray());
    }

    [Theory]
    [InlineData("../reranker", "outside the workspace")]
    [InlineData("/tmp", "outside the workspace")]
    [InlineData("models/none", "not a model folder")]
    public async Task A_cross_encoder_outside_the_workspace_or_missing_is_a_tool_error(string crossEncoder,
        string expected)
    {
        await using var session = await ServerSession.StartAsync();
        WriteDataset(session.Workspace);

        var result = await session.CallAsync("mine_hard_negatives",
            new { dataset = "data/pairs.jsonl", output_path = "data/out.jsonl", cross_encoder = crossEncoder });

        Assert.True(result.IsError);
        Assert.Contains(expected, ServerSession.TextOf(result), StringComparison.Ordinal);
        Assert.Contains("cross_encoder", ServerSession.TextOf(result), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(session.Workspace, "data", "out.jsonl")));
    }

    [Theory]
    [InlineData("../outside.jsonl", "data/out.jsonl", "outside the workspace")]
    [InlineData("/etc/hostname", "data/out.jsonl", "outside the workspace")]
    [InlineData("data/pairs.jsonl", "../../out.jsonl", "outside the workspace")]
    [InlineData("data/pairs.jsonl", "/tmp/st-train-mined.jsonl", "outside the workspace")]
    [InlineData("data/missing.jsonl", "data/out.jsonl", "does not exist")]
    [InlineData("data/pairs.jsonl", "data/out.txt", "must end in")]
    [InlineData("data/pairs.jsonl", "data/pairs.jsonl", "dataset itself")]
    public async Task Paths_outside_the_workspace_or_unusable_are_tool_errors(
        string dataset, string output, string expected)
    {
        await using var session = await ServerSession.StartAsync();
        WriteDataset(session.Workspace);

        var result = await session.CallAsync("mine_hard_negatives", new { dataset, output_path = output });

        Assert.True(result.IsError);
        Assert.Contains(expected, ServerSession.TextOf(result), StringComparison.Ordinal);
        Assert.False(File.Exists("/tmp/st-train-mined.jsonl"));
    }

    [Fact]
    public async Task Bad_options_are_tool_errors_that_name_the_option()
    {
        await using var session = await ServerSession.StartAsync();
        WriteDataset(session.Workspace);
        var cases = new (object Arguments, string Expected)[]
        {
            (new { dataset = "data/pairs.jsonl", output_path = "o.jsonl", num_negatives = 0 }, "num_negatives"),
            (new { dataset = "data/pairs.jsonl", output_path = "o.jsonl", sampling_strategy = "best" },
                "sampling_strategy"),
            (new { dataset = "data/pairs.jsonl", output_path = "o.jsonl", output_format = "pairs" }, "output_format"),
            (new { dataset = "data/pairs.jsonl", output_path = "o.jsonl", range_min = 10, range_max = 5 },
                "range_max"),
            (new { dataset = "data/pairs.jsonl", output_path = "o.jsonl", num_negatives = "three" },
                "Bad arguments"),
        };

        foreach (var (arguments, expected) in cases)
        {
            var result = await session.CallAsync("mine_hard_negatives", arguments);
            Assert.True(result.IsError, $"expected a tool error for {JsonSerializer.Serialize(arguments)}");
            Assert.Contains(expected, ServerSession.TextOf(result), StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Path.Combine(session.Workspace, "o.jsonl")));
    }
}
