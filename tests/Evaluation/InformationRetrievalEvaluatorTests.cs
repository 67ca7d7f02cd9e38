using StTrain.Core.Evaluation;
using StTrain.Tests.Losses;
using Xunit;

namespace StTrain.Tests.Evaluation;

/// <summary>
/// Hand-computed retrieval metrics. Dot scores: q1 = [1, 0], q2 = [0, 1]; d1 = [3, 0], d2 = [2, 1], d3 = [2, 5],
/// d4 = [0, 2]. q1 scores d1 3, d2 2, d3 2, d4 0 (d2 and d3 tie; the id breaks it: d2 first);
/// q2 scores d3 5, d4 2, d2 1, d1 0. Relevant: q1 {d3}; q2 {d4, d1, dX} where dX is not in the corpus;
/// q3 has an empty set and q4 none, so both are skipped.
/// </summary>
public sealed class InformationRetrievalEvaluatorTests
{
    private static readonly Dictionary<string, string> Queries = new()
    {
        ["q1"] = "first", ["q2"] = "second", ["q3"] = "third", ["q4"] = "fourth",
    };

    private static readonly Dictionary<string, string> Corpus = new()
    {
        ["d1"] = "one", ["d2"] = "two", ["d3"] = "three", ["d4"] = "four",
    };

    private static readonly Dictionary<string, IReadOnlyCollection<string>> Relevant = new()
    {
        ["q1"] = ["d3"], ["q2"] = ["d4", "d1", "dX"], ["q3"] = [],
    };

    private static readonly double[][] QueryVectors = [[1, 0], [0, 1]];
    private static readonly double[][] DocVectors = [[3, 0], [2, 1], [2, 5], [0, 2]];

    private static InformationRetrievalEvaluator Build(string name = "", int chunk = 50000, int[]? accuracy = null,
        int[]? precision = null, int[]? mrr = null, int[]? ndcg = null, int[]? map = null) =>
        new(Queries, Corpus, Relevant, name, mrrAtK: mrr ?? [10], ndcgAtK: ndcg ?? [2, 10],
            accuracyAtK: accuracy ?? [1, 3], precisionRecallAtK: precision ?? [1, 10], mapAtK: map ?? [3],
            scoreFunctions: ["dot"], corpusChunkSize: chunk);

    [Theory]
    [InlineData(50000)]
    [InlineData(3)]
    [InlineData(1)]
    public void MetricsMatchHandComputation(int chunk)
    {
        InformationRetrievalEvaluator evaluator = Build(chunk: chunk);
        Assert.Equal(["q1", "q2"], evaluator.QueryIds);
        Dictionary<string, double> m = evaluator.ComputeFromEmbeddings(Ref.T(QueryVectors), Ref.T(DocVectors));

        double l3 = Math.Log2(3), l5 = Math.Log2(5);
        Assert.Equal(0.0, m["dot_accuracy@1"], 9);
        Assert.Equal(1.0, m["dot_accuracy@3"], 9);
        Assert.Equal(0.0, m["dot_precision@1"], 9);
        Assert.Equal((1.0 / 10 + 2.0 / 10) / 2, m["dot_precision@10"], 9); // k = 10 > corpus size 4
        Assert.Equal(0.0, m["dot_recall@1"], 9);
        Assert.Equal((1.0 + 2.0 / 3) / 2, m["dot_recall@10"], 9); // dX is relevant but not retrievable
        Assert.Equal((1.0 / 3 + 1.0 / 2) / 2, m["dot_mrr@10"], 9); // q1: d3 third, after the tied d2
        Assert.Equal((0 + (1 / l3) / (1 + 1 / l3)) / 2, m["dot_ndcg@2"], 9);
        Assert.Equal((0.5 + (1 / l3 + 1 / l5) / (1 + 1 / l3 + 0.5)) / 2, m["dot_ndcg@10"], 9);
        Assert.Equal((1.0 / 3 + (1.0 / 2) / 3) / 2, m["dot_map@3"], 9);
        Assert.Equal(evaluator.MetricKeys.OrderBy(k => k), m.Keys.OrderBy(k => k));
        Assert.Equal("dot_ndcg@10", evaluator.PrimaryMetric);
    }

    [Fact]
    public void TiesAtTheCutAreResolvedByCorpusIdAcrossChunks()
    {
        // max_k = 2 and chunks of 3: q1's chunk holds d1 3, d2 2, d3 2; d2 must win the tie for rank 2.
        InformationRetrievalEvaluator evaluator = Build(chunk: 3, accuracy: [2], precision: [2], mrr: [2],
            ndcg: [2], map: [2]);
        Dictionary<string, double> m = evaluator.ComputeFromEmbeddings(Ref.T(QueryVectors), Ref.T(DocVectors));
        Assert.Equal((0 + 0.5) / 2, m["dot_mrr@2"], 9);
        Assert.Equal((0 + 1.0) / 2, m["dot_accuracy@2"], 9);
    }

    [Fact]
    public void KeysArePrefixedAndFollowUpstreamSpelling()
    {
        var evaluator = new InformationRetrievalEvaluator(Queries, Corpus, Relevant, "dev");
        Assert.Equal("cosine_ndcg@10", evaluator.PrimaryMetric);
        Assert.Equal("dev_cosine_ndcg@10", evaluator.PrimaryKey);
        Assert.Equal(
        [
            "dev_cosine_accuracy@1", "dev_cosine_accuracy@3", "dev_cosine_accuracy@5", "dev_cosine_accuracy@10",
            "dev_cosine_precision@1", "dev_cosine_precision@3", "dev_cosine_precision@5", "dev_cosine_precision@10",
            "dev_cosine_recall@1", "dev_cosine_recall@3", "dev_cosine_recall@5", "dev_cosine_recall@10",
            "dev_cosine_ndcg@10", "dev_cosine_mrr@10", "dev_cosine_map@100",
        ], evaluator.MetricKeys);

        var both = new InformationRetrievalEvaluator(Queries, Corpus, Relevant, scoreFunctions: ["dot", "cosine"]);
        Assert.Equal("cosine_ndcg@10", both.PrimaryMetric);
        Assert.Contains("dot_map@100", both.MetricKeys);
        var main = new InformationRetrievalEvaluator(Queries, Corpus, Relevant, scoreFunctions: ["dot", "cosine"],
            mainScoreFunction: "dot");
        Assert.Equal("dot_ndcg@10", main.PrimaryMetric);
    }

    [Fact]
    public void CosineRanksByAngle()
    {
        // Cosine to q1 = [1, 0]: d1 1, d2 0.894, d3 0.371, d4 0 -> d3 third; to q2: d4 1, d3 0.928 -> d4 first.
        var evaluator = new InformationRetrievalEvaluator(Queries, Corpus, Relevant, mrrAtK: [10]);
        Dictionary<string, double> m = evaluator.ComputeFromEmbeddings(Ref.T(QueryVectors), Ref.T(DocVectors));
        Assert.Equal((1.0 / 3 + 1.0) / 2, m["cosine_mrr@10"], 6);
    }

    [Fact]
    public void NoQueryWithRelevantDocumentsIsAClearError()
    {
        var error = Assert.Throws<ArgumentException>(() => new InformationRetrievalEvaluator(Queries, Corpus,
            new Dictionary<string, IReadOnlyCollection<string>> { ["q1"] = [], ["zz"] = ["d1"] }));
        Assert.Contains("qrels", error.Message);
    }

    [Fact]
    public void DataFromPairsMakesDistinctQueriesAndDocuments()
    {
        var (queries, corpus, relevant) = InformationRetrievalEvaluator.DataFromPairs(
            ["a", "b", "a"], ["p1", "p2", "p3"], ["n1", "p1", "n1"]);
        Assert.Equal(2, queries.Count);
        Assert.Equal(["p1", "n1", "p2", "p3"], corpus.Values);
        Assert.Equal(["d0", "d3"], relevant["q0"].Order());
        Assert.Equal(["d2"], relevant["q1"]);
    }
}
