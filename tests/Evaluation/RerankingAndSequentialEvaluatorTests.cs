using StTrain.Core.Evaluation;
using StTrain.Tests.Losses;
using Xunit;

namespace StTrain.Tests.Evaluation;

public sealed class RerankingAndSequentialEvaluatorTests
{
    /// <summary>
    /// Dot scores with 1-d embeddings (query [1], document [s] scores s). Sample A: positives .5, .2; negatives .9,
    /// .5, .1. Sample B has no negative and is skipped. Sample C: positive .8 tied with negative .8. at_k = 2.
    /// </summary>
    [Fact]
    public void MapMrrNdcgByHandWithTies()
    {
        var samples = new List<RerankingSample>
        {
            new("A", ["a+1", "a+2"], ["a-1", "a-2", "a-3"]),
            new("B", ["b+1"], []),
            new("C", ["c+1"], ["c-1"]),
        };
        var evaluator = new RerankingEvaluator(samples, atK: 2, similarityFunction: "dot");
        Assert.Equal(2, evaluator.Samples.Count);
        double[][] queries = [[1], [1]];
        double[][] docs = [[0.5], [0.2], [0.9], [0.5], [0.1], [0.8], [0.8]];
        Dictionary<string, double> m = evaluator.ComputeFromEmbeddings(Ref.T(queries), Ref.T(docs));

        double l3 = Math.Log2(3);
        // A: AP = (1/2)(1/3) at threshold .5 (one positive, two items... three seen) + (1/2)(1/2) at .2 = 5/12.
        // C: both at .8 -> recall 1 at precision 1/2.
        Assert.Equal((5.0 / 12 + 0.5) / 2, m["map"], 6);
        // A: .9 is a negative, then the tied .5 pair with the positive first -> rank 2; C: positive first -> 1.
        Assert.Equal((0.5 + 1.0) / 2, m["mrr@2"], 6);
        // A: the tied .5 group spans ranks 2 and 3 with mean gain 1/2; only rank 2 is inside k = 2.
        double ndcgA = 0.5 / l3 / (1 + 1 / l3);
        double ndcgC = 0.5 * (1 + 1 / l3) / 1.0;
        Assert.Equal((ndcgA + ndcgC) / 2, m["ndcg@2"], 6);
        Assert.Equal("ndcg@2", evaluator.PrimaryMetric);
        Assert.Equal(["map", "mrr@2", "ndcg@2"], evaluator.MetricKeys);
    }

    [Fact]
    public void RerankingWithNoUsableSampleIsAClearError()
    {
        Assert.Throws<ArgumentException>(() => new RerankingEvaluator([new RerankingSample("q", [], ["n"])]));
    }

    [Fact]
    public void SequentialMergesResultsAndScoresTheLastPrimaryByDefault()
    {
        string[] four = ["a", "b", "c", "d"];
        var first = new TripletEvaluator(four, four, four, name: "first");
        var second = new RerankingEvaluator([new RerankingSample("q", ["p"], ["n"])], name: "second");
        var sequential = new SequentialEvaluator([first, second]);
        Assert.Equal("sequential_score", sequential.PrimaryKey);
        Assert.Equal(["first_cosine_accuracy", "second_map", "second_mrr@10", "second_ndcg@10", "sequential_score"],
            sequential.MetricKeys);

        var results = new List<Dictionary<string, double>>
        {
            new() { ["first_cosine_accuracy"] = 0.75 },
            new() { ["second_map"] = 0.5, ["second_mrr@10"] = 0.4, ["second_ndcg@10"] = 0.25 },
        };
        Assert.Equal(0.25, sequential.Combine(results)["sequential_score"]);
        Assert.Equal(0.5, new SequentialEvaluator([first, second], "mean").Combine(results)["sequential_score"]);
        Assert.Equal(0.75, sequential.Combine(results)["first_cosine_accuracy"]);

        var error = Assert.Throws<ArgumentException>(() => new SequentialEvaluator([first, first]));
        Assert.Contains("first_cosine_accuracy", error.Message);
    }
}
