using StTrain.Core.Losses;
using Xunit;
using static StTrain.Tests.Losses.Ref;

namespace StTrain.Tests.Losses;

/// <summary>CoSENT, AnglE, CosineSimilarity, Contrastive and OnlineContrastive against loop-computed values.</summary>
public sealed class PairLossTests
{
    private static readonly double[][] A = [[1, 0.2, -0.3, 0.5], [0.1, 0.9, 0.4, -0.2], [-0.6, 0.3, 0.8, 0.1],
        [0.5, 0.5, 0.5, 0.5], [0.3, -0.7, 0.2, 0.9]];
    private static readonly double[][] B = [[0.8, 0.1, -0.1, 0.4], [0.7, -0.2, 0.1, 0.3], [-0.5, 0.2, 0.9, -0.1],
        [0.1, 0.2, -0.9, 0.3], [0.2, -0.6, 0.4, 0.7]];
    private static readonly double[] Scores = [0.9, 0.2, 0.7, 0.2, 0.5];

    private static double CoSent(double[] s, double[] labels, double scale)
    {
        var terms = new List<double> { 0 };
        for (int i = 0; i < s.Length; i++)
        for (int j = 0; j < s.Length; j++)
            if (labels[i] < labels[j]) terms.Add(scale * (s[i] - s[j]));
        return LogSumExp(terms);
    }

    /// <summary>The AnglE angle score, written out with halves a,b of x and c,d of y.</summary>
    private static double Angle(double[] x, double[] y)
    {
        if (x.Length % 2 != 0)
        {
            x = [.. x, 0];
            y = [.. y, 0];
        }

        int h = x.Length / 2;
        double z = 0, nx = 0;
        for (int k = 0; k < h; k++)
        {
            z += y[k] * y[k] + y[h + k] * y[h + k];
            nx += x[k] * x[k] + x[h + k] * x[h + k];
        }

        double ratio = Math.Sqrt(nx) / Math.Sqrt(z), total = 0;
        for (int k = 0; k < h; k++)
        {
            double a = x[k], b = x[h + k], c = y[k], d = y[h + k];
            total += (a * c + b * d) / z / ratio + (b * c - a * d) / z / ratio;
        }

        return Math.Abs(total);
    }

    [Fact]
    public void CoSENTMatchesPairwiseRankingFormula()
    {
        double[] s = A.Select((a, i) => Cos(a, B[i])).ToArray();
        double actual = Item(new CoSENTLoss(null).ComputeFromEmbeddings([T(A), T(B)], V(Scores)));
        Assert.Equal(CoSent(s, Scores, 20), actual, 4);
        double scaled = Item(new CoSENTLoss(null, scale: 7).ComputeFromEmbeddings([T(A), T(B)], V(Scores)));
        Assert.Equal(CoSent(s, Scores, 7), scaled, 4);
    }

    [Fact]
    public void CoSENTWithAllEqualLabelsIsLogOne()
    {
        double actual = Item(new CoSENTLoss(null).ComputeFromEmbeddings([T(A), T(B)], V(1, 1, 1, 1, 1)));
        Assert.Equal(0.0, actual, 6);
    }

    [Fact]
    public void AnglEUsesAngleSimilarityIncludingOddDimensions()
    {
        double[] s = A.Select((a, i) => Angle(a, B[i])).ToArray();
        double actual = Item(new AnglELoss(null).ComputeFromEmbeddings([T(A), T(B)], V(Scores)));
        Assert.Equal(CoSent(s, Scores, 20), actual, 3);

        double[][] a3 = A.Select(r => r.Take(3).ToArray()).ToArray();
        double[][] b3 = B.Select(r => r.Take(3).ToArray()).ToArray();
        double[] s3 = a3.Select((a, i) => Angle(a, b3[i])).ToArray();
        double odd = Item(new AnglELoss(null, scale: 5).ComputeFromEmbeddings([T(a3), T(b3)], V(Scores)));
        Assert.Equal(CoSent(s3, Scores, 5), odd, 4);
    }

    [Fact]
    public void AnglETripletsBecomePositiveAndNegativePairs()
    {
        double[][] negatives = Rand(5, 4, 3);
        double[] s = A.Select((a, i) => Angle(a, B[i])).Concat(A.Select((a, i) => Angle(a, negatives[i]))).ToArray();
        double[] labels = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
        double actual = Item(new AnglELoss(null).ComputeFromEmbeddings([T(A), T(B), T(negatives)], null));
        Assert.Equal(CoSent(s, labels, 20), actual, 3);
    }

    [Fact]
    public void AnglEPairsWithoutLabelsFailClearly()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new AnglELoss(null).ComputeFromEmbeddings([T(A), T(B)], null));
        Assert.Contains("label", error.Message);
    }

    [Fact]
    public void CosineSimilarityLossIsMeanSquaredErrorOfCosine()
    {
        double expected = A.Select((a, i) => Math.Pow(Cos(a, B[i]) - Scores[i], 2)).Average();
        double actual = Item(new CosineSimilarityLoss(null).ComputeFromEmbeddings([T(A), T(B)], V(Scores)));
        Assert.Equal(expected, actual, 5);
    }

    [Theory]
    [InlineData("COSINE_DISTANCE", 0.5, true)]
    [InlineData("SiameseDistanceMetric.EUCLIDEAN", 1.5, true)]
    [InlineData("manhattan", 2.0, false)]
    public void ContrastiveLossMatchesHadsellFormula(string metric, double margin, bool average)
    {
        double[] y = [1, 0, 1, 0, 0];
        double Distance(double[] a, double[] b) => metric.ToUpperInvariant() switch
        {
            "COSINE_DISTANCE" => 1 - Cos(a, b),
            "MANHATTAN" => a.Select((v, k) => Math.Abs(v - b[k] + 1e-6)).Sum(),
            _ => Math.Sqrt(a.Select((v, k) => Math.Pow(v - b[k] + 1e-6, 2)).Sum()),
        };
        double[] losses = A.Select((a, i) =>
        {
            double d = Distance(a, B[i]);
            return 0.5 * (y[i] * d * d + (1 - y[i]) * Math.Pow(Math.Max(0, margin - d), 2));
        }).ToArray();
        double expected = average ? losses.Average() : losses.Sum();
        var loss = new ContrastiveLoss(null, metric, margin, average);
        Assert.Equal(expected, Item(loss.ComputeFromEmbeddings([T(A), T(B)], V(y))), 5);
    }

    [Fact]
    public void OnlineContrastiveKeepsOnlyHardPairs()
    {
        double[] y = [1, 0, 1, 0, 1];
        const double margin = 0.9;
        double[] d = A.Select((a, i) => 1 - Cos(a, B[i])).ToArray();
        double[] pos = d.Where((_, i) => y[i] == 1).ToArray();
        double[] neg = d.Where((_, i) => y[i] == 0).ToArray();
        double expected = pos.Where(p => p > neg.Min()).Sum(p => p * p) +
                          neg.Where(n => n < pos.Max()).Sum(n => Math.Pow(Math.Max(0, margin - n), 2));
        var loss = new OnlineContrastiveLoss(null, margin: margin);
        Assert.Equal(expected, Item(loss.ComputeFromEmbeddings([T(A), T(B)], V(y))), 5);
    }

    [Fact]
    public void OnlineContrastiveWithSinglePositiveUsesMeanCutoffs()
    {
        double[] y = [0, 0, 1, 0, 0];
        const double margin = 2.0;
        double[] d = A.Select((a, i) => 1 - Cos(a, B[i])).ToArray();
        double[] pos = d.Where((_, i) => y[i] == 1).ToArray();
        double[] neg = d.Where((_, i) => y[i] == 0).ToArray();
        // One positive: negatives are cut at their own mean; positives still cut at the closest negative.
        double expected = pos.Where(p => p > neg.Min()).Sum(p => p * p) +
                          neg.Where(n => n < neg.Average()).Sum(n => Math.Pow(Math.Max(0, margin - n), 2));
        var loss = new OnlineContrastiveLoss(null, margin: margin);
        Assert.Equal(expected, Item(loss.ComputeFromEmbeddings([T(A), T(B)], V(y))), 5);
    }
}
