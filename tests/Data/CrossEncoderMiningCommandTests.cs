using StTrain.Core.Data;
using StTrain.Core.Models;
using StTrain.Server.Commands;
using StTrain.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace StTrain.Tests.Data;

/// <summary>
/// `st-train mine-hard-negatives --cross-encoder`: tiny bi-encoder and CrossEncoder folders made here; the mined rows
/// are checked against the definition (the cross-encoder's scores, absolute margin against the positive's score,
/// hardest first).
/// </summary>
public sealed class CrossEncoderMiningCommandTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("st-train-ce-mining-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private (string Dataset, string Corpus, string Model, string CrossEncoder) Setup()
    {
        string model = Path.Combine(root, "bi-encoder");
        using (var biEncoder = TinyModels.Create(normalize: true)) biEncoder.Save(model);
        string crossEncoder = Path.Combine(root, "reranker");
        manual_seed(21);
        using (var reranker = CrossEncoder.CreateFromScratch(TinyModels.Config(), TinyModels.Tokenizer(), seed: 4,
                   maxLength: 32))
            reranker.Save(crossEncoder);

        var words = TinyModels.Words.Where(w => !w.StartsWith('#')).ToArray();
        var rows = Enumerable.Range(0, 12).Select(i => (IReadOnlyList<object?>)new object?[]
        {
            $"the {words[i]} and the {words[i + 1]}", $"a {words[i]} with a {words[i + 1]}",
        });
        string dataset = Path.Combine(root, "pairs.jsonl");
        new TabularDataset(["anchor", "positive"], rows).Save(dataset);
        string corpus = Path.Combine(root, "corpus.txt");
        File.WriteAllLines(corpus, words.Skip(20).Take(15).Select(w => $"the {w} is big"));
        return (dataset, corpus, model, crossEncoder);
    }

    [Fact]
    public void Cross_encoder_scores_decide_the_margin_filter_and_the_ranking()
    {
        var (dataset, corpus, model, crossEncoderPath) = Setup();
        string mined = Path.Combine(root, "mined.jsonl");
        string[] common =
        [
            "--dataset", dataset, "--model", model, "--corpus", corpus, "--num-negatives", "2",
            "--absolute-margin", "0", "--range-max", "40", "--output-format", "triplet", "--output-scores",
            "--batch-size", "4",
        ];

        Assert.Equal(0, MineHardNegativesCommand.Run([.. common, "--out", mined, "--cross-encoder", crossEncoderPath]));

        // Expected from the definition: with range_max above the corpus size every corpus text is a candidate; each
        // is scored by the cross-encoder, dropped when its score + 0 exceeds the positive's, and the two highest of
        // the rest are the negatives.
        var pairs = TabularDataset.Load(dataset);
        var candidates = pairs.GetStrings("positive").Concat(File.ReadAllLines(corpus)).Distinct().ToList();
        using var reranker = CrossEncoder.Load(crossEncoderPath, CPU);
        var expected = new List<(string Anchor, string Positive, string Negative, float PositiveScore, float Score)>();
        int filtered = 0;
        for (int r = 0; r < pairs.Count; r++)
        {
            string anchor = pairs.GetStrings("anchor")[r], positive = pairs.GetStrings("positive")[r];
            float positiveScore = reranker.Predict([(anchor, positive)])[0];
            var others = candidates.Where(c => c != positive).ToList();
            float[] scores = reranker.Predict(others.Select(c => (anchor, c)).ToList());
            filtered += scores.Count(s => s > positiveScore);
            expected.AddRange(others.Select((c, i) => (c, scores[i])).Where(c => c.Item2 <= positiveScore)
                .OrderByDescending(c => c.Item2).Take(2)
                .Select(c => (anchor, positive, c.Item1, positiveScore, c.Item2)));
        }
        Assert.True(filtered > 0, "the margin should drop some candidates, or this test checks nothing");

        var rows = TabularDataset.Load(mined);
        Assert.Equal(["anchor", "positive", "negative", "scores"], rows.ColumnNames);
        Assert.Equal(expected.Count, rows.Count);
        for (int r = 0; r < rows.Count; r++)
        {
            Assert.Equal(expected[r].Anchor, rows[r, "anchor"]);
            Assert.Equal(expected[r].Positive, rows[r, "positive"]);
            Assert.Equal(expected[r].Negative, rows[r, "negative"]);
            var scores = (object?[])rows[r, "scores"]!;
            Assert.Equal(expected[r].PositiveScore, (double)scores[0]!, 1e-6);
            Assert.Equal(expected[r].Score, (double)scores[1]!, 1e-6);
        }

        // Without the cross-encoder the same options filter on cosine scores and pick other rows.
        string plain = Path.Combine(root, "plain.jsonl");
        Assert.Equal(0, MineHardNegativesCommand.Run([.. common, "--out", plain]));
        var plainRows = TabularDataset.Load(plain);
        var withCrossEncoder = Enumerable.Range(0, rows.Count).Select(r => ((string)rows[r, "anchor"]!,
            (string)rows[r, "negative"]!)).ToHashSet();
        var withoutCrossEncoder = Enumerable.Range(0, plainRows.Count).Select(r => ((string)plainRows[r, "anchor"]!,
            (string)plainRows[r, "negative"]!)).ToHashSet();
        Assert.False(withCrossEncoder.SetEquals(withoutCrossEncoder));
    }

    [Fact]
    public void A_cross_encoder_that_is_not_one_fails_with_exit_code_1()
    {
        var (dataset, _, model, _) = Setup();
        string mined = Path.Combine(root, "mined.jsonl");

        // A bi-encoder folder is no CrossEncoder; a folder that does not exist is no model.
        Assert.Equal(1, MineHardNegativesCommand.Run(["--dataset", dataset, "--model", model, "--out", mined,
            "--cross-encoder", model, "--max-score", "0.9"]));
        Assert.Equal(1, MineHardNegativesCommand.Run(["--dataset", dataset, "--model", model, "--out", mined,
            "--cross-encoder", Path.Combine(root, "missing"), "--max-score", "0.9"]));
        Assert.False(File.Exists(mined));
    }
}
