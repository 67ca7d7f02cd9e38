using StTrain.Core.Evaluation;
using StTrain.Tests.Losses;
using Xunit;

namespace StTrain.Tests.Evaluation;

/// <summary>EmbeddingSimilarity, BinaryClassification and Triplet evaluators on unit vectors of known cosine.</summary>
public sealed class PairEvaluatorTests
{
    private static double[] Unit(double cosine) => [cosine, Math.Sqrt(1 - cosine * cosine)];

    private static readonly string[] Five = ["a", "b", "c", "d", "e"];

    [Fact]
    public void EmbeddingSimilarityPearsonAndSpearmanWithTies()
    {
        double[] gold = [5, 3, 1, 3, 2];
        double[] cosines = [0.8, 0.6, 0.0, 0.6, -0.6];
        var evaluator = new EmbeddingSimilarityEvaluator(Five, Five, gold,
            similarityFnNames: ["cosine", "dot", "euclidean", "manhattan"]);
        double[][] left = Enumerable.Repeat(new double[] { 2, 0 }, 5).ToArray();
        double[][] right = cosines.Select(c => c == 0.6 ? new[] { 0.6, 0.8 } : c == -0.6 ? new[] { -0.6, 0.8 }
            : Unit(c)).ToArray();
        Dictionary<string, double> m = evaluator.ComputeFromEmbeddings(Ref.T(left), Ref.T(right));

        // Average ranks: gold [5, 3.5, 1, 3.5, 2], cosine [5, 3.5, 2, 3.5, 1] -> 8.5 / 9.5.
        Assert.Equal(8.5 / 9.5, m["spearman_cosine"], 6);
        Assert.Equal(2.48 / Math.Sqrt(8.8 * 1.328), m["pearson_cosine"], 5);
        Assert.Equal(2.48 / Math.Sqrt(8.8 * 1.328), m["pearson_dot"], 5); // dot = 2 * cosine here
        Assert.Equal(8.5 / 9.5, m["spearman_euclidean"], 6); // distance sqrt(5 - 4c) is monotone in c
        Assert.Equal(8.5 / 9.5, m["spearman_manhattan"], 6);
        // Manhattan similarity: -(2 - x + y) = -1.8, -2.2, -3, -2.2, -3.4.
        double[] man = [-1.8, -2.2, -3, -2.2, -3.4];
        double mm = man.Average();
        double sxy = gold.Select((g, i) => (g - 2.8) * (man[i] - mm)).Sum();
        double sxx = gold.Sum(g => (g - 2.8) * (g - 2.8)), syy = man.Sum(v => (v - mm) * (v - mm));
        Assert.Equal(sxy / Math.Sqrt(sxx * syy), m["pearson_manhattan"], 5);
        Assert.Equal(m["spearman_cosine"], m["spearman_max"], 9);
        Assert.Equal("spearman_max", evaluator.PrimaryMetric);
        Assert.Equal(evaluator.MetricKeys.Order(), m.Keys.Order());
    }

    [Fact]
    public void EmbeddingSimilarityDefaultsToTheModelFunctionAndPrefixes()
    {
        var evaluator = new EmbeddingSimilarityEvaluator(Five, Five, [1, 2, 3, 4, 5], name: "sts-dev");
        Assert.Equal("spearman_cosine", evaluator.PrimaryMetric);
        Assert.Equal("sts-dev_spearman_cosine", evaluator.PrimaryKey);
        Assert.Equal(["sts-dev_pearson_cosine", "sts-dev_spearman_cosine"], evaluator.MetricKeys);
        var dotModel = new EmbeddingSimilarityEvaluator(Five, Five, [1, 2, 3, 4, 5], modelSimilarityHint: "dot");
        Assert.Equal("spearman_dot", dotModel.PrimaryMetric);
        var main = new EmbeddingSimilarityEvaluator(Five, Five, [1, 2, 3, 4, 5], mainSimilarity: "manhattan");
        Assert.Equal(["pearson_manhattan", "spearman_manhattan"], main.MetricKeys);
    }

    [Fact]
    public void EmbeddingSimilarityConstantPredictionsGiveNaN()
    {
        var evaluator = new EmbeddingSimilarityEvaluator(["a", "b", "c"], ["a", "b", "c"], [1, 2, 3]);
        double[][] same = [[1, 0], [1, 0], [1, 0]];
        Dictionary<string, double> m = evaluator.ComputeFromEmbeddings(Ref.T(same), Ref.T(same));
        Assert.True(double.IsNaN(m["pearson_cosine"]));
        Assert.True(double.IsNaN(m["spearman_cosine"]));
    }

    private static readonly double[] BinaryCosines = [0.9, 0.8, 0.8, 0.5, 0.3, 0.1];
    private static readonly int[] BinaryLabels = [1, 1, 0, 1, 0, 0];
    private static readonly string[] Six = ["a", "b", "c", "d", "e", "f"];

    [Fact]
    public void BinaryClassificationThresholdSearchWithTies()
    {
        var evaluator = new BinaryClassificationEvaluator(Six, Six, BinaryLabels,
            similarityFnNames: ["cosine", "euclidean"]);
        double[][] left = Enumerable.Repeat(new double[] { 1, 0 }, 6).ToArray();
        double[][] right = BinaryCosines.Select(Unit).ToArray();
        Dictionary<string, double> m = evaluator.ComputeFromEmbeddings(Ref.T(left), Ref.T(right));

        // Rows sorted by cosine: .9(1) .8(1) .8(0) .5(1) .3(0) .1(0); cutting after row i predicts "similar" above.
        Assert.Equal(5.0 / 6, m["cosine_accuracy"], 6);
        Assert.Equal(0.8, m["cosine_accuracy_threshold"], 5); // between the two tied .8 rows
        Assert.Equal(6.0 / 7, m["cosine_f1"], 6);
        Assert.Equal(0.75, m["cosine_precision"], 6);
        Assert.Equal(1.0, m["cosine_recall"], 6);
        Assert.Equal(0.4, m["cosine_f1_threshold"], 5);
        Assert.Equal(29.0 / 36, m["cosine_ap"], 6); // 1/3*1 + 1/3*2/3 (tied .8 entered together) + 1/3*3/4
        Assert.Equal(6 / Math.Sqrt(72), m["cosine_mcc"], 6); // tp 3, fp 1, fn 0, tn 2 at threshold .4

        // Euclidean distance sqrt(2 - 2c) orders rows the same way; thresholds are distances.
        Assert.Equal(5.0 / 6, m["euclidean_accuracy"], 6);
        Assert.Equal(Math.Sqrt(0.4), m["euclidean_accuracy_threshold"], 5);
        Assert.Equal((1 + Math.Sqrt(1.4)) / 2, m["euclidean_f1_threshold"], 5);
        Assert.Equal(29.0 / 36, m["euclidean_ap"], 6);
        Assert.Equal(6 / Math.Sqrt(72), m["euclidean_mcc"], 6);
        Assert.Equal(29.0 / 36, m["max_ap"], 6);
        Assert.Equal("max_ap", evaluator.PrimaryMetric);
        Assert.Equal(evaluator.MetricKeys.Order(), m.Keys.Order());
    }

    [Fact]
    public void BinaryClassificationRejectsNonBinaryLabels()
    {
        var error = Assert.Throws<ArgumentException>(() => new BinaryClassificationEvaluator(Six, Six,
            [1, 0, 2, 0, 1, 0]));
        Assert.Contains("row 2", error.Message);
        var evaluator = new BinaryClassificationEvaluator(Six, Six, BinaryLabels, name: "quora");
        Assert.Equal("quora_cosine_ap", evaluator.PrimaryKey);
    }

    [Fact]
    public void TripletAccuracyCountsTiesAsMissesAndAppliesTheMargin()
    {
        // Rows: (pos .9, neg .1) hit; (.5, .5) tie = miss; (.2, .6) miss; (.7, .6) hit only without margin.
        double[] pos = [0.9, 0.5, 0.2, 0.7], neg = [0.1, 0.5, 0.6, 0.6];
        string[] four = ["a", "b", "c", "d"];
        double[][] anchors = Enumerable.Repeat(new double[] { 1, 0 }, 4).ToArray();
        var plain = new TripletEvaluator(four, four, four);
        Dictionary<string, double> m = plain.ComputeFromEmbeddings(Ref.T(anchors), Ref.T(pos.Select(Unit).ToArray()),
            Ref.T(neg.Select(Unit).ToArray()));
        Assert.Equal(0.5, m["cosine_accuracy"], 9);
        Assert.Equal("cosine_accuracy", plain.PrimaryMetric);

        var margin = new TripletEvaluator(four, four, four, name: "dev", margin: 0.2,
            similarityFnNames: ["cosine", "dot"]);
        Dictionary<string, double> mm = margin.ComputeFromEmbeddings(Ref.T(anchors),
            Ref.T(pos.Select(Unit).ToArray()), Ref.T(neg.Select(Unit).ToArray()));
        Assert.Equal(0.25, mm["dev_cosine_accuracy"], 9);
        Assert.Equal(0.25, mm["dev_dot_accuracy"], 9);
        Assert.Equal(0.25, mm["dev_max_accuracy"], 9);
        Assert.Equal("dev_max_accuracy", margin.PrimaryKey);
        Assert.Equal(margin.MetricKeys.Order(), mm.Keys.Order());
    }
}
