using StTrain.Core.Evaluation;
using StTrain.Core.Losses;
using StTrain.Tests.Losses;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StTrain.Tests.Evaluation;

/// <summary>MSE, Translation, ParaphraseMining and LabelAccuracy evaluators against hand-computed values.</summary>
[Collection(TorchRandomCollection.Name)]
public sealed class GroupCEvaluatorTests
{
    [Fact]
    public void MSEIsMinusOneHundredTimesTheMeanSquaredDifference()
    {
        double[][] teacher = [[1, 2], [0, -1], [0.5, 0.5]];
        double[][] student = [[1, 1], [0, 1], [1.5, 0.5]];
        // Squared differences: 0, 1, 0, 4, 1, 0 -> mean 1 -> -100.
        var evaluator = new MSEEvaluator(Ref.T(teacher), ["a", "b", "c"], name: "distill");
        Dictionary<string, double> m = evaluator.ComputeFromEmbeddings(Ref.T(student));
        Assert.Equal(-100.0, m["distill_negative_mse"], 4);
        Assert.Equal("distill_negative_mse", evaluator.PrimaryKey);
        Assert.Throws<ArgumentException>(() => evaluator.ComputeFromEmbeddings(Ref.T([[1, 2, 3], [1, 2, 3],
            [1, 2, 3]])));
    }

    [Fact]
    public void TranslationCountsBothDirectionsAndTiesGoToTheFirstIndex()
    {
        // Source 0 is equally similar to targets 0 and 1 (tie -> index 0, correct); source 1 too (tie -> 0, wrong);
        // source 2 matches target 2. Targets: t0 best matches s0 (tie with s1 -> 0), t1 -> tie s0/s1 -> 0 (wrong),
        // t2 -> s2.
        double[][] source = [[1, 0], [1, 0], [0, 1]];
        double[][] target = [[1, 0], [1, 0], [0, 1]];
        var evaluator = new TranslationEvaluator(["a", "b", "c"], ["x", "y", "z"]);
        Dictionary<string, double> m = evaluator.ComputeFromEmbeddings(Ref.T(source), Ref.T(target));
        Assert.Equal(2.0 / 3, m["src2trg_accuracy"], 9);
        Assert.Equal(2.0 / 3, m["trg2src_accuracy"], 9);
        Assert.Equal(2.0 / 3, m["mean_accuracy"], 9);

        double[][] rotated = [[0.6, 0.8], [1, 0.1], [0, 1]];
        Dictionary<string, double> r = evaluator.ComputeFromEmbeddings(Ref.T(source), Ref.T(rotated));
        // s0 -> t1 (cos .995 > .6): wrong; s1 same: correct; s2 -> t2: correct. t0 -> s2 (.8 > .6): wrong;
        // t1 -> s0 (first of the tie): wrong; t2 -> s2: correct.
        Assert.Equal(2.0 / 3, r["src2trg_accuracy"], 9);
        Assert.Equal(1.0 / 3, r["trg2src_accuracy"], 9);
        Assert.Equal(0.5, r["mean_accuracy"], 9);
    }

    [Fact]
    public void ParaphraseMiningRanksPairsAndScoresThemAgainstDuplicates()
    {
        // 2-d unit vectors at angles 0, 10, 80, 90, 40 degrees.
        double[] angles = [0, 10, 80, 90, 40];
        double[][] e = angles.Select(a => new[] { Math.Cos(a * Math.PI / 180), Math.Sin(a * Math.PI / 180) })
            .ToArray();
        var sentences = new Dictionary<string, string> { ["a"] = "a", ["b"] = "b", ["c"] = "c", ["d"] = "d",
            ["e"] = "e" };
        // Duplicates a-b, c-d and d-e; with the closure also c-e. x-y names an unknown id and is ignored.
        (string, string)[] pairs = [("a", "b"), ("c", "d"), ("d", "e"), ("x", "y")];

        // top_k = 1: nearest neighbours a->b, b->a, c->d, d->c, e->b (30 deg; a and c are 40 away) => pairs
        // (a,b) 10deg, (c,d) 10deg, (b,e) 30deg. Ranked: (a,b), (c,d) [tie broken by index], (b,e).
        var evaluator = new ParaphraseMiningEvaluator(sentences, pairs, topK: 1);
        Assert.Equal(3, evaluator.TotalDuplicates);
        Dictionary<string, double> m = evaluator.ComputeFromEmbeddings(Ref.T(e));
        // Hits at ranks 1 and 2: precision 1, 1; AP = (1 + 1) / 3. Best F1 at rank 2: P 1, R 2/3, F1 0.8.
        Assert.Equal(2.0 / 3, m["average_precision"], 9);
        Assert.Equal(0.8, m["f1"], 9);
        Assert.Equal(1.0, m["precision"], 9);
        Assert.Equal(2.0 / 3, m["recall"], 9);
        Assert.Equal((Math.Cos(10 * Math.PI / 180) + Math.Cos(30 * Math.PI / 180)) / 2, m["threshold"], 5);

        var closed = new ParaphraseMiningEvaluator(sentences, pairs, addTransitiveClosure: true, topK: 1);
        Assert.Equal(4, closed.TotalDuplicates);
        Assert.Equal(2.0 / 4, closed.ComputeFromEmbeddings(Ref.T(e))["average_precision"], 9);
    }

    [Fact]
    public void LabelAccuracyUsesTheSoftmaxClassifier()
    {
        var loss = new SoftmaxLoss(null, 2, 2, concatenationSentRep: false, concatenationSentDifference: false,
            concatenationSentMultiplication: true);
        using (no_grad())
        {
            // logit0 = u.x * v.x, logit1 = u.y * v.y.
            loss.Classifier.weight!.copy_(Ref.T([[1, 0], [0, 1]]));
            loss.Classifier.bias!.zero_();
        }

        double[][] u = [[1, 0], [0, 1], [1, 1], [2, 1]];
        double[][] v = [[1, 0], [0, 1], [1, 2], [1, 1]];
        // Predictions: 0, 1, 1, 0; gold 0, 0, 1, 0 -> 3/4.
        var evaluator = new LabelAccuracyEvaluator(loss, ["a", "b", "c", "d"], ["a", "b", "c", "d"], [0, 0, 1, 0]);
        Assert.Equal(0.75, evaluator.ComputeFromEmbeddings(Ref.T(u), Ref.T(v))["accuracy"], 9);
    }

    [Fact]
    public void RegistryAnnouncesKeysForTheNewEvaluators()
    {
        Assert.Equal(["dev_negative_mse"], EvaluatorRegistry.Get("MSEEvaluator").MetricKeys("dev",
            EvaluatorParameters.Empty));
        Assert.Equal(["dev_src2trg_accuracy", "dev_trg2src_accuracy", "dev_mean_accuracy"],
            EvaluatorRegistry.Get("TranslationEvaluator").MetricKeys("dev", EvaluatorParameters.Empty));
        Assert.Equal("dev_average_precision", EvaluatorRegistry.Get("ParaphraseMiningEvaluator")
            .MetricKeys("dev", EvaluatorParameters.Empty)[0]);
        Assert.Equal(["nli_accuracy"], EvaluatorRegistry.Get("LabelAccuracyEvaluator").MetricKeys("nli",
            EvaluatorParameters.Empty));
        Assert.Equal(["sequential_score"], EvaluatorRegistry.Get("SequentialEvaluator").MetricKeys("x",
            EvaluatorParameters.Empty));
    }
}
