using StTrain.Core.Losses;
using TorchSharp;
using Xunit;
using static StTrain.Tests.Losses.Ref;
using static TorchSharp.torch;

namespace StTrain.Tests.Losses;

/// <summary>TripletLoss, MarginMSELoss, MSELoss and SoftmaxLoss against loop-computed values.</summary>
[Collection(TorchRandomCollection.Name)]
public sealed class TripletAndDistillationLossTests
{
    private static readonly double[][] Q = Rand(4, 5, 1);
    private static readonly double[][] P = Rand(4, 5, 2);
    private static readonly double[][] N1 = Rand(4, 5, 3);
    private static readonly double[][] N2 = Rand(4, 5, 4);

    [Theory]
    [InlineData("EUCLIDEAN", 5.0)]
    [InlineData("TripletDistanceMetric.COSINE", 0.3)]
    [InlineData("MANHATTAN", 1.0)]
    public void TripletLossIsHingeOnDistanceGap(string metric, double margin)
    {
        double Distance(double[] a, double[] b) => metric.Split('.')[^1] switch
        {
            "COSINE" => 1 - Cos(a, b),
            "MANHATTAN" => Manhattan(a, b),
            _ => Euclid(a, b),
        };
        double expected = Q.Select((q, i) => Math.Max(0, Distance(q, P[i]) - Distance(q, N1[i]) + margin)).Average();
        var loss = new TripletLoss(null, metric, margin);
        Assert.Equal(expected, Item(loss.ComputeFromEmbeddings([T(Q), T(P), T(N1)], null)), 5);
    }

    [Fact]
    public void TripletLossDefaultsAreEuclideanMarginFive()
    {
        var loss = new TripletLoss(null);
        Assert.Equal("EUCLIDEAN", loss.DistanceMetric);
        Assert.Equal(5.0, loss.TripletMargin);
        Assert.Throws<ArgumentException>(() => loss.ComputeFromEmbeddings([T(Q), T(P)], null));
    }

    [Fact]
    public void MarginMSEWithOneNegativeAndScalarMargins()
    {
        double[] gold = [0.5, -1.0, 2.0, 0.0];
        double expected = Q.Select((q, i) => Math.Pow(Dot(q, P[i]) - Dot(q, N1[i]) - gold[i], 2)).Average();
        var loss = new MarginMSELoss(null);
        Assert.Equal(expected, Item(loss.ComputeFromEmbeddings([T(Q), T(P), T(N1)], V(gold))), 5);
    }

    [Fact]
    public void MarginMSEWithTwoNegativesAcceptsMarginsOrRawTeacherScores()
    {
        double[][] teacherScores = [[3, 1, 0.5], [2, 2.5, 0], [1, -1, 0.2], [0.3, 0.1, 0.9]];
        double total = 0;
        for (int i = 0; i < 4; i++)
        {
            total += Math.Pow(Cos(Q[i], P[i]) - Cos(Q[i], N1[i]) - (teacherScores[i][0] - teacherScores[i][1]), 2);
            total += Math.Pow(Cos(Q[i], P[i]) - Cos(Q[i], N2[i]) - (teacherScores[i][0] - teacherScores[i][2]), 2);
        }

        var loss = new MarginMSELoss(null, "cosine");
        double fromScores = Item(loss.ComputeFromEmbeddings([T(Q), T(P), T(N1), T(N2)], T(teacherScores)));
        Assert.Equal(total / 8, fromScores, 5);

        double[][] margins = teacherScores.Select(s => new[] { s[0] - s[1], s[0] - s[2] }).ToArray();
        double fromMargins = Item(loss.ComputeFromEmbeddings([T(Q), T(P), T(N1), T(N2)], T(margins)));
        Assert.Equal(total / 8, fromMargins, 5);

        var error = Assert.Throws<ArgumentException>(() =>
            loss.ComputeFromEmbeddings([T(Q), T(P), T(N1), T(N2)], T(Rand(4, 5, 9))));
        Assert.Contains("[4, 2]", error.Message);
    }

    [Fact]
    public void MSELossBroadcastsOneTeacherVectorOverColumnsOrTakesOnePerColumn()
    {
        double[][] teacher = Rand(4, 5, 11);
        double Mse(double[][] s, double[][] t) => s.SelectMany((r, i) => r.Select((v, k) => Math.Pow(v - t[i][k], 2)))
            .Average();
        var loss = new MSELoss(null);
        Assert.Equal(Mse(Q, teacher), Item(loss.ComputeFromEmbeddings([T(Q)], T(teacher))), 5);
        Assert.Equal((Mse(Q, teacher) + Mse(P, teacher)) / 2,
            Item(loss.ComputeFromEmbeddings([T(Q), T(P)], T(teacher))), 5);

        using Tensor perColumn = stack([T(teacher), T(N1)], 1);
        Assert.Equal((Mse(Q, teacher) + Mse(P, N1)) / 2,
            Item(loss.ComputeFromEmbeddings([T(Q), T(P)], perColumn)), 5);

        var error = Assert.Throws<ArgumentException>(() => loss.ComputeFromEmbeddings([T(Q)], T(Rand(4, 3, 1))));
        Assert.Contains("length 5", error.Message);
    }

    [Fact]
    public void SoftmaxLossIsCrossEntropyOverConcatenatedFeatures()
    {
        const int dim = 5, classes = 3;
        double[][] weight = Rand(classes, 3 * dim, 21);
        double[] bias = [0.1, -0.2, 0.05];
        long[] labels = [0, 2, 1, 2];
        var loss = new SoftmaxLoss(null, dim, classes);
        using (no_grad())
        {
            loss.Classifier.weight!.copy_(T(weight));
            loss.Classifier.bias!.copy_(V(bias));
        }

        double total = 0;
        for (int i = 0; i < 4; i++)
        {
            double[] features = [.. Q[i], .. P[i], .. Q[i].Select((v, k) => Math.Abs(v - P[i][k]))];
            double[] logits = weight.Select((w, c) => Dot(w, features) + bias[c]).ToArray();
            total += LogSumExp(logits) - logits[labels[i]];
        }

        Assert.Equal(total / 4, Item(loss.ComputeFromEmbeddings([T(Q), T(P)], L(labels))), 5);
        Assert.Equal(2, loss.ExtraParameters.Count());

        var error = Assert.Throws<ArgumentException>(() =>
            loss.ComputeFromEmbeddings([T(Q), T(P)], L(0, 1, 3, 0)));
        Assert.Contains("outside 0..2", error.Message);
    }

    [Fact]
    public void SoftmaxLossWithMultiplicationOnly()
    {
        const int dim = 5;
        var loss = new SoftmaxLoss(null, dim, 2, concatenationSentRep: false, concatenationSentDifference: false,
            concatenationSentMultiplication: true);
        double[][] weight = Rand(2, dim, 5);
        using (no_grad())
        {
            loss.Classifier.weight!.copy_(T(weight));
            loss.Classifier.bias!.zero_();
        }

        double total = 0;
        long[] labels = [1, 0, 0, 1];
        for (int i = 0; i < 4; i++)
        {
            double[] features = Q[i].Select((v, k) => v * P[i][k]).ToArray();
            double[] logits = weight.Select(w => Dot(w, features)).ToArray();
            total += LogSumExp(logits) - logits[labels[i]];
        }

        Assert.Equal(total / 4, Item(loss.ComputeFromEmbeddings([T(Q), T(P)], L(labels))), 5);
    }
}
