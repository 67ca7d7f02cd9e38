using StTrain.Core.Losses;
using Xunit;
using static StTrain.Tests.Losses.Ref;

namespace StTrain.Tests.Losses;

[Collection(TorchRandomCollection.Name)]
public sealed class MatryoshkaLossTests
{
    private static readonly double[][] A = Rand(5, 6, 31);
    private static readonly double[][] B = Rand(5, 6, 32);
    private static readonly double[] Scores = [0.1, 0.8, 0.4, 0.9, 0.3];

    private static double[][] Cut(double[][] m, int d) => m.Select(r => Normalize(r.Take(d).ToArray())).ToArray();

    private static double CoSent(double[][] a, double[][] b, double scale)
    {
        double[] s = a.Select((r, i) => scale * Cos(r, b[i])).ToArray();
        var terms = new List<double> { 0 };
        for (int i = 0; i < s.Length; i++)
        for (int j = 0; j < s.Length; j++)
            if (Scores[i] < Scores[j]) terms.Add(s[i] - s[j]);
        return LogSumExp(terms);
    }

    [Fact]
    public void SumsWeightedInnerLossOverTruncatedNormalisedEmbeddings()
    {
        var loss = new MatryoshkaLoss(null, new CoSENTLoss(null), [2, 6, 4], [0.25, 1, 0.5]);
        Assert.Equal([6, 4, 2], loss.MatryoshkaDims);
        Assert.Equal([1, 0.5, 0.25], loss.MatryoshkaWeights);
        double expected = CoSent(Cut(A, 6), Cut(B, 6), 20) + 0.5 * CoSent(Cut(A, 4), Cut(B, 4), 20) +
                          0.25 * CoSent(Cut(A, 2), Cut(B, 2), 20);
        Assert.Equal(expected, Item(loss.ComputeFromEmbeddings([T(A), T(B)], V(Scores))), 4);
    }

    [Fact]
    public void TruncatesTeacherVectorsForMSE()
    {
        double[][] teacher = Rand(5, 6, 40);
        double Mse(double[][] s, int d) => s.SelectMany((r, i) => r.Select((v, k) => Math.Pow(v - teacher[i][k], 2)))
            .Average();
        var loss = new MatryoshkaLoss(null, new MSELoss(null), [6, 3]);
        double expected = Mse(Cut(A, 6), 6) + Mse(Cut(A, 3), 3);
        Assert.Equal(expected, Item(loss.ComputeFromEmbeddings([T(A)], T(teacher))), 5);
    }

    [Fact]
    public void RejectsBadDimensionsAndWeights()
    {
        Assert.Throws<ArgumentException>(() => new MatryoshkaLoss(null, new CoSENTLoss(null), []));
        Assert.Throws<ArgumentException>(() => new MatryoshkaLoss(null, new CoSENTLoss(null), [4, 0]));
        Assert.Throws<ArgumentException>(() => new MatryoshkaLoss(null, new CoSENTLoss(null), [4, 2], [1]));
        var tooWide = new MatryoshkaLoss(null, new CoSENTLoss(null), [8, 2]);
        var error = Assert.Throws<ArgumentException>(() => tooWide.ComputeFromEmbeddings([T(A), T(B)], V(Scores)));
        Assert.Contains("8", error.Message);
    }

    [Fact]
    public void NDimsPerStepSamplesThatManyDimensions()
    {
        var loss = new MatryoshkaLoss(null, new CoSENTLoss(null), [6, 4, 2], nDimsPerStep: 1);
        double[] single = new[] { 6, 4, 2 }.Select(d => CoSent(Cut(A, d), Cut(B, d), 20)).ToArray();
        for (int trial = 0; trial < 5; trial++)
        {
            double actual = Item(loss.ComputeFromEmbeddings([T(A), T(B)], V(Scores)));
            Assert.Contains(single, s => Math.Abs(s - actual) < 1e-4);
        }
    }
}
