using StTrain.Core.Data;
using StTrain.Server.Commands;
using StTrain.Tests.Support;
using Xunit;

namespace StTrain.Tests.Data;

[Collection(FullWordNetCollection.Name)]
public sealed class DataCommandsTests(FullWordNetFixture wordnet) : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("st-train-datacli-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Data_wordnet_writes_every_dataset_and_card()
    {
        string output = Path.Combine(root, "wn");
        int rc = DataCommand.Run(["wordnet", "--out", output, "--dict", wordnet.Dict, "--max-synsets", "400",
            "--max-distractors", "50", "--seed", "2"]);
        Assert.Equal(0, rc);
        foreach (string file in new[]
                 {
                     "README.md", "WORDNET_LICENSE.txt", "synsets.jsonl", "reverse_dictionary/train.jsonl",
                     "triplets/dev.jsonl", "scored_pairs/test.jsonl", "binary_pairs/train.jsonl",
                     "classification/README.md", "example_gloss/train.jsonl", "ir/dev/corpus.jsonl",
                     "ir/test/qrels.jsonl", "reranking/dev.jsonl",
                 })
            Assert.True(File.Exists(Path.Combine(output, file)), $"missing {file}");
        Assert.Equal(400, TabularDataset.Load(Path.Combine(output, "synsets.jsonl")).Count);
        Assert.Contains("seed 2", File.ReadAllText(Path.Combine(output, "README.md")));
    }

    [Theory]
    [InlineData(new[] { "wordnet" }, 2)]
    [InlineData(new[] { "wordnet", "--out" }, 2)]
    [InlineData(new[] { "wordnet", "--out", "x", "--max-synset", "3" }, 2)]
    [InlineData(new[] { "wordnet", "--out", "x", "--pos", "q" }, 2)]
    [InlineData(new[] { "wordnet", "--out", "x", "--max-synsets", "-1" }, 2)]
    [InlineData(new[] { "imagenet" }, 2)]
    [InlineData(new[] { "wordnet", "--help" }, 0)]
    public void Data_command_line_errors_exit_2(string[] args, int expected) =>
        Assert.Equal(expected, DataCommand.Run(args));

    [Fact]
    public void Data_wordnet_with_a_folder_that_is_not_a_dict_exits_1()
    {
        Assert.Equal(1, DataCommand.Run(["wordnet", "--out", Path.Combine(root, "o"), "--dict", root]));
        Assert.False(Directory.Exists(Path.Combine(root, "o")));
    }

    [Fact]
    public void Mine_hard_negatives_runs_a_saved_model_end_to_end()
    {
        string modelDir = Path.Combine(root, "model");
        using (var model = TinyModels.Create(normalize: true)) model.Save(modelDir);
        var words = TinyModels.Words.Where(w => !w.StartsWith('#')).ToArray();
        var rows = Enumerable.Range(0, 12).Select(i => (IReadOnlyList<object?>)new object?[]
        {
            $"the {words[i]} and the {words[i + 1]}", $"a {words[i]} with a {words[i + 1]}",
        });
        string dataset = Path.Combine(root, "pairs.jsonl");
        new TabularDataset(["anchor", "positive"], rows).Save(dataset);
        string corpus = Path.Combine(root, "corpus.txt");
        File.WriteAllLines(corpus, words.Skip(20).Take(15).Select(w => $"the {w} is big"));
        string output = Path.Combine(root, "mined.parquet");

        int rc = MineHardNegativesCommand.Run(["--dataset", dataset, "--model", modelDir, "--out", output,
            "--corpus", corpus, "--num-negatives", "2", "--output-format", "n-tuple", "--output-scores",
            "--batch-size", "4"]);
        Assert.Equal(0, rc);
        var mined = TabularDataset.Load(output);
        Assert.Equal(["anchor", "positive", "negative_1", "negative_2", "scores"], mined.ColumnNames);
        Assert.Equal(12, mined.Count); // 12 positives and 15 extra texts leave enough candidates for every anchor
        for (int r = 0; r < mined.Count; r++)
        {
            Assert.NotEqual(mined[r, "positive"], mined[r, "negative_1"]);
            var scores = (object?[])mined[r, "scores"]!;
            Assert.Equal(3, scores.Length);
            Assert.True((double)scores[1]! >= (double)scores[2]!);
        }
    }

    [Fact]
    public void Mine_hard_negatives_reports_bad_input_without_a_stack_trace()
    {
        Assert.Equal(2, MineHardNegativesCommand.Run(["--dataset", "d.jsonl"]));
        Assert.Equal(2, MineHardNegativesCommand.Run(["--dataset", "d.jsonl", "--model", "m", "--out", "o.jsonl",
            "--num-negatives", "zero"]));
        Assert.Equal(1, MineHardNegativesCommand.Run(["--dataset", Path.Combine(root, "missing.jsonl"),
            "--model", "m", "--out", Path.Combine(root, "o.jsonl")]));
        Assert.Equal(1, MineHardNegativesCommand.Run(["--dataset", "d.jsonl", "--model", "m", "--out", "o.jsonl",
            "--output-format", "quads"]));
    }
}
