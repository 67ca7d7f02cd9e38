using StTrain.Core.Losses;
using Xunit;
using static StTrain.Tests.Losses.Ref;

namespace StTrain.Tests.Losses;

/// <summary>Batch triplet losses, DistillKLDiv, GlobalOrthogonalRegularization, MegaBatchMargin, GISTEmbed.</summary>
public sealed class GroupCLossTests
{
    private static readonly double[][] E = Rand(6, 4, 77);
    private static readonly long[] Classes = [0, 1, 0, 2, 1, 0];

    private static double D(string metric, int i, int j) =>
        i == j ? 0 : metric == "cosine_distance" ? 1 - Cos(E[i], E[j]) : Euclid(E[i], E[j]);

    [Theory]
    [InlineData("euclidean_distance", 5.0)]
    [InlineData("cosine_distance", 0.5)]
    public void BatchAllAveragesTheViolatingTriplets(string metric, double margin)
    {
        double sum = 0;
        int active = 0;
        for (int a = 0; a < 6; a++)
        for (int p = 0; p < 6; p++)
        for (int n = 0; n < 6; n++)
        {
            if (a == p || Classes[a] != Classes[p] || Classes[a] == Classes[n]) continue;
            double l = Math.Max(0, D(metric, a, p) - D(metric, a, n) + margin);
            sum += l;
            if (l > 1e-16) active++;
        }

        var loss = new BatchAllTripletLoss(null, metric, margin);
        Assert.Equal(sum / active, Item(loss.ComputeFromEmbeddings([T(E)], L(Classes))), 4);
    }

    private static (double Pos, double Neg) Hardest(string metric, int a)
    {
        double pos = 0, neg = double.MaxValue;
        for (int j = 0; j < 6; j++)
        {
            if (j != a && Classes[j] == Classes[a]) pos = Math.Max(pos, D(metric, a, j));
            if (Classes[j] != Classes[a]) neg = Math.Min(neg, D(metric, a, j));
        }

        return (pos, neg);
    }

    [Theory]
    [InlineData("euclidean_distance", 1.0)]
    [InlineData("BatchHardTripletLossDistanceFunction.cosine_distance", 0.3)]
    public void BatchHardUsesHardestPositiveAndNegative(string metric, double margin)
    {
        string m = metric.Split('.')[^1];
        double expected = Enumerable.Range(0, 6).Select(a =>
        {
            var (pos, neg) = Hardest(m, a);
            return Math.Max(0, pos - neg + margin);
        }).Average();
        Assert.Equal(expected, Item(new BatchHardTripletLoss(null, metric, margin)
            .ComputeFromEmbeddings([T(E)], L(Classes))), 4);

        double soft = Enumerable.Range(0, 6).Select(a =>
        {
            var (pos, neg) = Hardest(m, a);
            return Math.Log(1 + Math.Exp(pos - neg));
        }).Average();
        Assert.Equal(soft, Item(new BatchHardSoftMarginTripletLoss(null, metric)
            .ComputeFromEmbeddings([T(E)], L(Classes))), 4);
    }

    [Theory]
    [InlineData(5.0)]
    [InlineData(0.2)]
    public void BatchSemiHardPicksTheClosestNegativeBeyondThePositive(double margin)
    {
        const string metric = "euclidean_distance";
        double sum = 0;
        int pairs = 0;
        for (int a = 0; a < 6; a++)
        for (int p = 0; p < 6; p++)
        {
            if (a == p || Classes[a] != Classes[p]) continue;
            pairs++;
            double dap = D(metric, a, p);
            var negatives = Enumerable.Range(0, 6).Where(n => Classes[n] != Classes[a]).Select(n => D(metric, a, n))
                .ToList();
            var beyond = negatives.Where(d => d > dap).ToList();
            double dn = beyond.Count > 0 ? beyond.Min() : negatives.Max();
            sum += Math.Max(0, dap - dn + margin);
        }

        var loss = new BatchSemiHardTripletLoss(null, metric, margin);
        Assert.Equal(sum / pairs, Item(loss.ComputeFromEmbeddings([T(E)], L(Classes))), 4);
    }

    [Theory]
    [InlineData("dot", 1.0, null, null)]
    [InlineData("cosine", 0.5, 0.1, 2.0)]
    public void DistillKLDivMatchesKullbackLeibler(string sim, double t, double? ts, double? tt)
    {
        double[][] q = Rand(3, 4, 1), c1 = Rand(3, 4, 2), c2 = Rand(3, 4, 3), c3 = Rand(3, 4, 4);
        double[][] teacher = [[3, 1, -1], [0.5, 0.5, 2], [1, 0, 0]];
        double studentT = ts ?? t, teacherT = tt ?? t, total = 0;
        for (int i = 0; i < 3; i++)
        {
            double[] s = new[] { c1, c2, c3 }.Select(c => Sim(sim, q[i], c[i]) / studentT).ToArray();
            double[] tl = teacher[i].Select(v => v / teacherT).ToArray();
            double ls = LogSumExp(s), lt = LogSumExp(tl);
            for (int k = 0; k < 3; k++)
            {
                double logP = tl[k] - lt;
                total += Math.Exp(logP) * (logP - (s[k] - ls));
            }
        }

        var loss = new DistillKLDivLoss(null, sim, t, ts, tt);
        double actual = Item(loss.ComputeFromEmbeddings([T(q), T(c1), T(c2), T(c3)], T(teacher)));
        Assert.Equal(total / 3 * studentT * studentT, actual, 4);
        Assert.Throws<ArgumentException>(() => loss.ComputeFromEmbeddings([T(q), T(c1), T(c2), T(c3)],
            T([[1, 2], [1, 2], [1, 2]])));
    }

    [Theory]
    [InlineData("mean", 1.0, 1.0)]
    [InlineData("sum", 0.5, 2.0)]
    public void GlobalOrthogonalRegularizationMatchesItsTerms(string aggregation, double wm, double ws)
    {
        double[][] a = Rand(5, 3, 8), b = Rand(5, 3, 9);
        (double Mean, double Moment) Terms(double[][] e)
        {
            double sum = 0, sq = 0;
            for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++)
            {
                if (i == j) continue;
                double s = Cos(e[i], e[j]);
                sum += s;
                sq += s * s;
            }

            return (Math.Pow(sum / 20, 2), Math.Max(0, sq / 20 - 1.0 / 3));
        }

        var (ma, sa) = Terms(a);
        var (mb, sb) = Terms(b);
        double expected = aggregation == "sum"
            ? wm * (ma + mb) + ws * (sa + sb)
            : wm * (ma + mb) / 2 + ws * (sa + sb) / 2;
        var loss = new GlobalOrthogonalRegularizationLoss(null, "cosine", wm, ws, aggregation);
        Assert.Equal(expected, Item(loss.ComputeFromEmbeddings([T(a), T(b)], null)), 5);
    }

    [Fact]
    public void MegaBatchMarginPenalisesWeakPositivesAndStrongNegatives()
    {
        double[][] a = Rand(5, 4, 12), p = Rand(5, 4, 13);
        double total = 0;
        for (int i = 0; i < 5; i++)
        {
            double hardest = Enumerable.Range(0, 5).Where(j => j != i).Max(j => Cos(a[i], p[j]));
            total += Math.Max(0, 0.8 - Cos(a[i], p[i])) + Math.Max(0, hardest - 0.3);
        }

        var loss = new MegaBatchMarginLoss(null, miniBatchSize: 2);
        Assert.Equal(total / 5, Item(loss.ComputeFromEmbeddings([T(a), T(p)], null)), 5);
        Assert.True(loss.PerformsOwnBackward);
        Assert.False(new MegaBatchMarginLoss(null, useMiniBatchedVersion: false).PerformsOwnBackward);
    }

    [Theory]
    [InlineData("absolute", 0.0, true, true, true)]
    [InlineData("relative", 0.1, false, true, false)]
    [InlineData("absolute", 0.05, true, false, true)]
    public void GISTDropsCandidatesTheGuideRanksAboveThePositive(string strategy, double margin, bool anchors,
        bool positives, bool withNegatives)
    {
        double[][] a = Rand(4, 3, 21), p = Rand(4, 3, 22), n = Rand(4, 3, 23);
        double[][] ga = Rand(4, 3, 24), gp = Rand(4, 3, 25), gn = Rand(4, 3, 26);
        const double temperature = 0.05;
        double total = 0;
        for (int i = 0; i < 4; i++)
        {
            double gpos = Cos(ga[i], gp[i]);
            double threshold = strategy == "absolute" ? gpos - margin : gpos - Math.Abs(gpos) * margin;
            // Candidates in block order, each: sim(model) / T unless the guide drops it.
            var candidates = new List<(double Sim, double Guide, bool Own)>();
            for (int j = 0; j < 4; j++) candidates.Add((Cos(a[i], p[j]), Cos(ga[i], gp[j]), j == i));
            if (anchors)
                for (int j = 0; j < 4; j++) candidates.Add((Cos(a[i], a[j]), Cos(ga[i], ga[j]), false));
            if (positives)
                for (int j = 0; j < 4; j++) candidates.Add((Cos(p[i], p[j]), Cos(gp[i], gp[j]), false));
            if (withNegatives)
                for (int j = 0; j < 4; j++) candidates.Add((Cos(a[i], n[j]), Cos(ga[i], gn[j]), false));
            double[] z = candidates.Select(c => c.Guide > threshold && !c.Own ? double.NegativeInfinity
                : c.Sim / temperature).ToArray();
            total += LogSumExp(z) - z[i];
        }

        var loss = new GISTEmbedLoss(null, null, temperature, strategy, margin, anchors, positives);
        var embeddings = withNegatives ? new[] { T(a), T(p), T(n) } : new[] { T(a), T(p) };
        var guide = withNegatives ? new[] { T(ga), T(gp), T(gn) } : new[] { T(ga), T(gp) };
        Assert.Equal(total / 4, Item(loss.ComputeFromEmbeddings(embeddings, guide)), 3);
    }
}
