using StTrain.Core.Losses;
using Xunit;
using static StTrain.Tests.Losses.Ref;

namespace StTrain.Tests.Losses;

public sealed class MultipleNegativesRankingLossTests
{
    private static readonly double[][] Anchors = [[1, 0, 0.5], [0.2, 1, 0], [0.3, -0.4, 1], [-1, 0.1, 0.2]];
    private static readonly double[][] Positives = [[0.9, 0.1, 0.4], [0, 1, 0.3], [0.2, -0.2, 0.8], [-0.5, 0.6, 0]];
    private static readonly double[][] Negatives = [[0.1, 0.9, 0], [1, 0, 0], [-0.3, 0.3, 0.3], [0.4, 0.4, -0.9]];

    /// <summary>Reference: mean_i [ logsumexp_j(scale*sim(a_i, c_j)) - scale*sim(a_i, p_i) ].</summary>
    private static double Expected(double[][] a, IReadOnlyList<double[][]> docColumns, double scale, string sim)
    {
        double[][] candidates = docColumns.SelectMany(c => c).ToArray();
        double total = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double[] logits = candidates.Select(c => scale * Sim(sim, a[i], c)).ToArray();
            total += LogSumExp(logits) - logits[i];
        }

        return total / a.Length;
    }

    [Fact]
    public void PairsMatchCrossEntropyWithDefaults()
    {
        var loss = new MultipleNegativesRankingLoss(null);
        double actual = Item(loss.ComputeFromEmbeddings([T(Anchors), T(Positives)], null));
        Assert.Equal(Expected(Anchors, [Positives], 20, "cosine"), actual, 4);
    }

    [Fact]
    public void HardNegativesJoinTheCandidatePool()
    {
        double[][] negatives2 = Rand(4, 3, 5);
        var loss = new MultipleNegativesRankingLoss(null);
        double actual = Item(loss.ComputeFromEmbeddings([T(Anchors), T(Positives), T(Negatives), T(negatives2)],
            null));
        Assert.Equal(Expected(Anchors, [Positives, Negatives, negatives2], 20, "cosine"), actual, 4);
    }

    [Theory]
    [InlineData("dot", 1.0)]
    [InlineData("euclidean", 5.0)]
    [InlineData("manhattan", 3.0)]
    public void OtherSimilaritiesAndScales(string sim, double scale)
    {
        var loss = new MultipleNegativesRankingLoss(null, scale, sim);
        double actual = Item(loss.ComputeFromEmbeddings([T(Anchors), T(Positives), T(Negatives)], null));
        Assert.Equal(Expected(Anchors, [Positives, Negatives], scale, sim), actual, 4);
    }

    [Fact]
    public void SymmetricAveragesBothDirections()
    {
        const double scale = 20;
        double total = 0;
        for (int i = 0; i < 4; i++)
        {
            double pos = scale * Cos(Anchors[i], Positives[i]);
            double forward = LogSumExp(Positives.Select(p => scale * Cos(Anchors[i], p))) - pos;
            double backward = LogSumExp(Anchors.Select(a => scale * Cos(a, Positives[i]))) - pos;
            total += (forward + backward) / 2;
        }

        var loss = new MultipleNegativesSymmetricRankingLoss(null);
        double actual = Item(loss.ComputeFromEmbeddings([T(Anchors), T(Positives)], null));
        Assert.Equal(total / 4, actual, 4);
    }

    [Fact]
    public void AllDirectionsJointSoftmaxExcludesOwnDocuments()
    {
        const double scale = 10;
        double[][][] docs = [Positives, Negatives];
        double total = 0;
        for (int i = 0; i < 4; i++)
        {
            var logits = new List<double>();
            foreach (double[][] column in docs) logits.AddRange(column.Select(c => scale * Cos(Anchors[i], c)));
            for (int j = 0; j < 4; j++)
                if (j != i) logits.Add(scale * Cos(Anchors[i], Anchors[j]));
            logits.AddRange(Anchors.Select(a => scale * Cos(a, Positives[i])));
            foreach (double[][] column in docs)
                for (int j = 0; j < 4; j++)
                    if (j != i) logits.Add(scale * Cos(Positives[i], column[j]));
            total += LogSumExp(logits) - scale * Cos(Anchors[i], Positives[i]);
        }

        var loss = new MultipleNegativesRankingLoss(null, scale,
            directions: ["query_to_doc", "query_to_query", "doc_to_query", "doc_to_doc"]);
        double actual = Item(loss.ComputeFromEmbeddings([T(Anchors), T(Positives), T(Negatives)], null));
        Assert.Equal(total / 4, actual, 4);
    }

    [Theory]
    [InlineData("in_batch_negatives")]
    [InlineData("hard_negatives")]
    [InlineData("all_negatives")]
    public void HardnessPenaltyAddsAlphaTimesSimilarityToSelectedNegatives(string mode)
    {
        const double scale = 20, alpha = 5;
        double total = 0;
        for (int i = 0; i < 4; i++)
        {
            var logits = new List<double>();
            for (int col = 0; col < 2; col++)
            for (int j = 0; j < 4; j++)
            {
                double s = Cos(Anchors[i], (col == 0 ? Positives : Negatives)[j]);
                bool own = j == i;
                bool penalised = mode switch
                {
                    "in_batch_negatives" => !own,
                    "hard_negatives" => own && col > 0,
                    _ => !(own && col == 0),
                };
                logits.Add(scale * s + (penalised ? alpha * s : 0));
            }

            total += LogSumExp(logits) - logits[i];
        }

        var loss = new MultipleNegativesRankingLoss(null, scale, hardnessMode: mode, hardnessStrength: alpha);
        double actual = Item(loss.ComputeFromEmbeddings([T(Anchors), T(Positives), T(Negatives)], null));
        Assert.Equal(total / 4, actual, 4);
    }

    [Fact]
    public void RejectsSingleColumnAndBadSettings()
    {
        var loss = new MultipleNegativesRankingLoss(null);
        var error = Assert.Throws<ArgumentException>(() => loss.ComputeFromEmbeddings([T(Anchors)], null));
        Assert.Contains("at least 2", error.Message);
        Assert.Throws<ArgumentException>(() => new MultipleNegativesRankingLoss(null, scale: 0));
        Assert.Throws<ArgumentException>(() => new MultipleNegativesRankingLoss(null, directions: ["doc_to_query"]));
        Assert.Throws<ArgumentException>(() => new MultipleNegativesRankingLoss(null,
            directions: ["query_to_doc", "query_to_query"], partitionMode: "per_direction"));
    }
}
