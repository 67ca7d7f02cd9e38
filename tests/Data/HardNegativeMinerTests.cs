using StTrain.Core.Data;
using StTrain.Core.Runtime;
using Xunit;
using static TorchSharp.torch;

namespace StTrain.Tests.Data;

/// <summary>
/// Mining on hand-built 2-D unit embeddings: each text sits at an angle, so the cosine of two texts is the cosine of
/// their angle difference and every ranking below can be read off the angles.
/// q1 at 0°: a 10° (0.985) &gt; p1 20° (0.940, its positive) &gt; b 25° (0.906) &gt; c 40° (0.766) &gt; d 60° (0.5)
///   &gt; e 90° (0) &gt; f 120° (−0.5) &gt; p2 170° (−0.985).
/// q2 at 180°: p2 170° (0.985, its positive) &gt; f (0.5) &gt; e (0) &gt; d (−0.5) &gt; c (−0.766) &gt; b &gt; p1 &gt;
/// a.
/// </summary>
public sealed class HardNegativeMinerTests
{
    private static readonly Dictionary<string, double> Angles = new()
    {
        ["q1"] = 0, ["p1"] = 20, ["a"] = 10, ["b"] = 25, ["c"] = 40, ["d"] = 60, ["e"] = 90, ["f"] = 120,
        ["q2"] = 180, ["p2"] = 170, ["q3"] = 0, ["p3"] = 100, ["near"] = 95, ["far"] = 110,
    };

    private static readonly string[] Extra = ["a", "b", "c", "d", "e", "f"];

    public HardNegativeMinerTests() => TorchRuntime.Initialize();

    private static double Cos(double degrees) => Math.Cos(degrees * Math.PI / 180);

    private static Tensor Embed(IReadOnlyList<string> texts)
    {
        var values = texts.SelectMany(t => new[] { (float)Cos(Angles[t]), (float)Math.Sin(Angles[t] * Math.PI / 180) })
            .ToArray();
        return tensor(values).reshape(texts.Count, 2);
    }

    private static TabularDataset Pairs(params (string Anchor, string Positive)[] rows) =>
        new(["query", "answer"], rows.Select(r => (IReadOnlyList<object?>)new object?[] { r.Anchor, r.Positive }));

    private static readonly TabularDataset TwoQueries = Pairs(("q1", "p1"), ("q2", "p2"));

    private static HardNegativeMiningResult Mine(HardNegativeMiningOptions options, TabularDataset? data = null,
        IReadOnlyList<string>? corpus = null, IPairScorer? scorer = null) =>
        HardNegativeMiner.Mine(data ?? TwoQueries, Embed, options, corpus ?? Extra, scorer);

    private static List<string> Negatives(HardNegativeMiningResult result, string anchor) =>
        Enumerable.Range(0, result.Dataset.Count).Where(r => (string)result.Dataset[r, 0]! == anchor)
            .Select(r => (string)result.Dataset[r, "negative"]!).ToList();

    [Fact]
    public void Default_top_triplets_take_the_best_non_positive_candidates()
    {
        var result = Mine(new HardNegativeMiningOptions());
        Assert.Equal(["query", "answer", "negative"], result.Dataset.ColumnNames);
        Assert.Equal(["a", "b", "c"], Negatives(result, "q1"));
        Assert.Equal(["f", "e", "d"], Negatives(result, "q2"));
        Assert.Equal("p1", result.Dataset[0, "answer"]);
        Assert.Equal(4, result.Summary.RangeMax); // range_min 0 + num_negatives 3 + one positive per query
    }

    [Fact]
    public void Range_min_skips_the_closest_candidates()
    {
        var result = Mine(new HardNegativeMiningOptions { RangeMin = 1, NumNegatives = 2 });
        Assert.Equal(["b", "c"], Negatives(result, "q1"));
        Assert.Equal(["e", "d"], Negatives(result, "q2"));
    }

    [Fact]
    public void Max_score_drops_candidates_that_are_too_close_and_counts_them()
    {
        var result = Mine(new HardNegativeMiningOptions { MaxScore = 0.95, NumNegatives = 1 });
        Assert.Equal(["b"], Negatives(result, "q1"));
        Assert.Equal(["f"], Negatives(result, "q2"));
        Assert.Equal(11, result.Summary.RangeMax); // 0 + 10·1 + 1 when a filter may discard candidates
        var (filter, value, skipped, ratio) = Assert.Single(result.Summary.Skipped);
        Assert.Equal(("max_score", 0.95, 1L), (filter, value, skipped));
        Assert.Equal(1.0 / 24, ratio, 12); // 2 queries × (range_max 11 + 1 positive) candidate slots
    }

    [Fact]
    public void Min_score_drops_far_candidates_and_the_summary_counts_missing_rows()
    {
        var options = new HardNegativeMiningOptions { MinScore = 0.6, NumNegatives = 4, RangeMax = 10 };
        var triplets = Mine(options);
        Assert.Equal(["a", "b", "c"], Negatives(triplets, "q1"));
        Assert.Empty(Negatives(triplets, "q2"));
        Assert.Equal(8, triplets.Summary.MaximumPossibleRows);
        Assert.Equal(3, triplets.Summary.Rows);
        Assert.Contains("5 of 8 possible rows", triplets.Summary.Format());

        var tuples = Mine(options with { OutputFormat = HardNegativeMiningOptions.NTuple });
        Assert.Equal(0, tuples.Dataset.Count); // neither query has 4 valid negatives
    }

    [Fact]
    public void Absolute_margin_keeps_negatives_a_margin_below_the_positive()
    {
        // q1: positive 0.940, so a candidate needs score + 0.1 <= 0.940: a (0.985) and b (0.906) go.
        var result = Mine(new HardNegativeMiningOptions { AbsoluteMargin = 0.1, NumNegatives = 1 });
        Assert.Equal(["c"], Negatives(result, "q1"));
        Assert.Equal(["f"], Negatives(result, "q2"));
        Assert.Equal(2, result.Summary.Skipped.Single(s => s.Filter == "absolute_margin").Skipped);
    }

    [Fact]
    public void Relative_margin_scales_with_the_positive_score_and_its_sign()
    {
        // q1: threshold 0.940 − 0.940·0.2 = 0.752 drops a, b and c.
        var result = Mine(new HardNegativeMiningOptions { RelativeMargin = 0.2, NumNegatives = 1 });
        Assert.Equal(["d"], Negatives(result, "q1"));

        // A negative positive score: p3 at 100° scores −0.174, threshold −0.174 − 0.174·0.5 = −0.260, so "near"
        // (−0.087) goes and "far" (−0.342) stays. Multiplying by (1 − margin) instead would keep "near".
        var negative = HardNegativeMiner.Mine(Pairs(("q3", "p3")), Embed,
            new HardNegativeMiningOptions { RelativeMargin = 0.5, NumNegatives = 1 }, ["near", "far"]);
        Assert.Equal(["far"], Negatives(negative, "q3"));
    }

    [Fact]
    public void Random_sampling_draws_from_the_window_reproducibly()
    {
        var options = new HardNegativeMiningOptions
        {
            SamplingStrategy = HardNegativeMiningOptions.Random, NumNegatives = 2, RangeMax = 6,
        };
        var drawn = new HashSet<string>();
        for (int seed = 0; seed < 12; seed++)
        {
            var negatives = Negatives(Mine(options with { Seed = seed }), "q1");
            Assert.Equal(negatives, Negatives(Mine(options with { Seed = seed }), "q1"));
            Assert.Equal(2, negatives.Distinct().Count());
            Assert.All(negatives, n => Assert.Contains(n, Extra));
            Assert.Equal(negatives.OrderByDescending(n => Cos(Angles[n])), negatives); // sorted by score
            drawn.UnionWith(negatives);
        }
        Assert.True(drawn.Count > 2, "random sampling never left the top 2");
        Assert.Equal(["a", "b"], Negatives(Mine(options with { SamplingStrategy = "top" }), "q1"));
    }

    [Fact]
    public void Output_formats_shape_the_rows_as_upstream()
    {
        var options = new HardNegativeMiningOptions { NumNegatives = 2 };

        var tuples = Mine(options with { OutputFormat = HardNegativeMiningOptions.NTuple });
        Assert.Equal(["query", "answer", "negative_1", "negative_2"], tuples.Dataset.ColumnNames);
        Assert.Equal(new object?[] { "q1", "p1", "a", "b" }, tuples.Dataset.GetRow(0));
        Assert.Equal(new object?[] { "q2", "p2", "f", "e" }, tuples.Dataset.GetRow(1));

        var pairs = Mine(options with { OutputFormat = HardNegativeMiningOptions.LabeledPair });
        Assert.Equal(["query", "answer", "label"], pairs.Dataset.ColumnNames);
        var expected = new[]
        {
            ("q1", "p1", 1L), ("q1", "a", 0L), ("q1", "b", 0L), ("q2", "p2", 1L), ("q2", "f", 0L), ("q2", "e", 0L),
        };
        Assert.Equal(expected, Enumerable.Range(0, pairs.Dataset.Count).Select(r =>
            ((string)pairs.Dataset[r, 0]!, (string)pairs.Dataset[r, 1]!, (long)pairs.Dataset[r, 2]!)));

        var lists = Mine(options with { OutputFormat = HardNegativeMiningOptions.LabeledList });
        Assert.Equal(["query", "answer", "labels"], lists.Dataset.ColumnNames);
        Assert.Equal(["p1", "a", "b"], lists.Dataset.GetStringLists("answer")[0]);
        Assert.Equal(new object?[] { 1L, 0L, 0L }, (object?[])lists.Dataset[0, "labels"]!);

        var scored = Mine(options with { OutputScores = true });
        Assert.Equal(["query", "answer", "negative", "scores"], scored.Dataset.ColumnNames);
        var first = (object?[])scored.Dataset[0, "scores"]!;
        Assert.Equal(Cos(20), (double)first[0]!, 5);
        Assert.Equal(Cos(10), (double)first[1]!, 5);

        var scoredPairs = Mine(options with
        {
            OutputFormat = HardNegativeMiningOptions.LabeledPair, OutputScores = true,
        });
        Assert.Equal("score", scoredPairs.Dataset.ColumnNames[2]);
        Assert.Equal(Cos(10), scoredPairs.Dataset.GetDoubles("score")[1], 5);

        var scoredTuples = Mine(options with { OutputFormat = HardNegativeMiningOptions.NTuple, OutputScores = true });
        var tupleScores = ((object?[])scoredTuples.Dataset[0, "scores"]!).Select(v => (double)v!).ToArray();
        Assert.Equal(3, tupleScores.Length);
        Assert.Equal(Cos(20), tupleScores[0], 5);
        Assert.Equal(Cos(10), tupleScores[1], 5);
        Assert.Equal(Cos(25), tupleScores[2], 5);
    }

    [Fact]
    public void Include_positives_keeps_them_as_candidates_and_forces_n_tuple()
    {
        var result = Mine(new HardNegativeMiningOptions { IncludePositives = true, NumNegatives = 2 });
        Assert.Equal(HardNegativeMiningOptions.NTuple, result.Summary.OutputFormat);
        Assert.Equal(new object?[] { "q1", "p1", "a", "p1" }, result.Dataset.GetRow(0));
        Assert.Contains(result.Summary.Notes, n => n.Contains("n-tuple", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_an_extra_corpus_the_other_positives_are_the_candidates()
    {
        var result = HardNegativeMiner.Mine(TwoQueries, Embed, new HardNegativeMiningOptions { NumNegatives = 1 });
        Assert.Equal(["p2"], Negatives(result, "q1"));
        Assert.Equal(["p1"], Negatives(result, "q2"));
        Assert.Equal(2, result.Summary.CorpusSize);
    }

    [Fact]
    public void Repeated_anchors_are_one_query_with_several_positives()
    {
        // q1 has positives p1 (0.940) and b (0.906): b is never a negative, the margin uses the lower one.
        var data = Pairs(("q1", "p1"), ("q2", "p2"), ("q1", "b"));
        var result = Mine(new HardNegativeMiningOptions { NumNegatives = 1, AbsoluteMargin = 0 }, data,
            ["a", "c", "d", "e", "f"]);
        Assert.Equal(2, result.Summary.UniqueQueries);
        Assert.Equal(12, result.Summary.RangeMax); // 0 + 10 + two positives of q1
        var rows = Enumerable.Range(0, result.Dataset.Count).Select(r => string.Join(",", result.Dataset.GetRow(r)));
        Assert.Equal(["q1,p1,c", "q1,b,c", "q2,p2,f"], rows);
        Assert.Equal(3, result.Summary.Positive.Count);
    }

    private sealed class TableScorer(Dictionary<(string, string), float> table) : IPairScorer
    {
        public int Calls { get; private set; }

        public IReadOnlyList<float> Score(IReadOnlyList<(string Query, string Document)> pairs, int batchSize)
        {
            Calls++;
            return pairs.Select(p => table.GetValueOrDefault(p, 0.1f)).ToArray();
        }
    }

    [Fact]
    public void Cross_encoder_rescores_when_a_score_filter_is_set()
    {
        var table = new Dictionary<(string, string), float> { [("q1", "e")] = 0.9f, [("q1", "p1")] = 0.95f };
        var scorer = new TableScorer(table);
        var rescored = Mine(new HardNegativeMiningOptions { NumNegatives = 1, MaxScore = 10 }, scorer: scorer);
        Assert.Equal(["e"], Negatives(rescored, "q1"));
        Assert.Equal(0.95, rescored.Summary.Positive.Max, 5);
        Assert.Equal(4, scorer.Calls); // candidates and positives, for each query

        var unused = new TableScorer(table);
        var plain = Mine(new HardNegativeMiningOptions { NumNegatives = 1 }, scorer: unused);
        Assert.Equal(["a"], Negatives(plain, "q1"));
        Assert.Equal(0, unused.Calls);
        Assert.Contains(plain.Summary.Notes, n => n.Contains("cross-encoder was not used", StringComparison.Ordinal));
    }

    [Fact]
    public void Chunked_search_gives_the_same_answer()
    {
        var whole = Mine(new HardNegativeMiningOptions());
        var chunked = Mine(new HardNegativeMiningOptions { SearchBatchSize = 1, MaxSimilarityElements = 3 });
        Assert.Equal(Enumerable.Range(0, whole.Dataset.Count).Select(whole.Dataset.GetRow),
            Enumerable.Range(0, chunked.Dataset.Count).Select(chunked.Dataset.GetRow));
    }

    [Fact]
    public void Summary_statistics_describe_positive_negative_and_difference_scores()
    {
        var summary = Mine(new HardNegativeMiningOptions { NumNegatives = 1 }).Summary;
        // positives: q1–p1 cos 20°, q2–p2 cos 10°; negatives: q1–a cos 10°, q2–f cos 60°.
        Assert.Equal((Cos(20) + Cos(10)) / 2, summary.Positive.Mean, 5);
        Assert.Equal(Cos(20), summary.Positive.Min, 5);
        Assert.Equal(Cos(60), summary.Negative.Min, 5);
        Assert.Equal(Cos(10) - Cos(60), summary.Difference.Max, 5);
        Assert.Equal(Cos(20) - Cos(10), summary.Difference.Min, 5);
        string report = summary.Format();
        Assert.Contains("positive", report);
        Assert.Contains("75%", report);

        var stats = ScoreStatistics.From([4, 1, 3, 2]);
        Assert.Equal(2.5, stats.Mean, 12);
        Assert.Equal(2, stats.Median); // lower middle value, as torch.median
        Assert.Equal(Math.Sqrt(5.0 / 3.0), stats.Std, 12); // Σ(x−2.5)² = 5, over n−1 = 3
        Assert.Equal(1.75, stats.Q25, 12);
        Assert.Equal(2.5, stats.Q50, 12);
        Assert.Equal(3.25, stats.Q75, 12);
    }

    [Fact]
    public void Bad_options_and_embeddings_are_rejected_with_the_fix()
    {
        Assert.Contains("num_negatives", Assert.Throws<ArgumentException>(() =>
            Mine(new HardNegativeMiningOptions { NumNegatives = 0 })).Message);
        Assert.Contains("range_min", Assert.Throws<ArgumentException>(() =>
            Mine(new HardNegativeMiningOptions { RangeMin = 5, RangeMax = 3 })).Message);
        Assert.Contains("Fix:", Assert.Throws<ArgumentException>(() =>
            Mine(new HardNegativeMiningOptions { NumNegatives = 3, RangeMax = 2 })).Message);
        Assert.Contains("output_format", Assert.Throws<ArgumentException>(() =>
            Mine(new HardNegativeMiningOptions { OutputFormat = "pairs" })).Message);
        Assert.Contains("[N, D]", Assert.Throws<ArgumentException>(() =>
            HardNegativeMiner.Mine(TwoQueries, texts => zeros(1, 2))).Message);
        Assert.Contains("Available columns", Assert.Throws<ArgumentException>(() =>
            Mine(new HardNegativeMiningOptions { AnchorColumn = "anchor" })).Message);
    }
}
