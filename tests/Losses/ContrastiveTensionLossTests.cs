using StTrain.Core.Losses;
using StTrain.Core.Models;
using StTrain.Tests.Support;
using TorchSharp;
using Xunit;
using static StTrain.Tests.Losses.Ref;
using static TorchSharp.torch;

namespace StTrain.Tests.Losses;

[Collection(TorchRandomCollection.Name)]
public sealed class ContrastiveTensionLossTests
{
    private static readonly double[][] E1 = Rand(4, 5, 51);
    private static readonly double[][] E2 = Rand(4, 5, 52);

    /// <summary>BCE with logits of one score: -[y log sigma(s) + (1 - y) log(1 - sigma(s))].</summary>
    private static double Bce(double s, double y) =>
        -(y * Math.Log(1 / (1 + Math.Exp(-s))) + (1 - y) * Math.Log(1 - 1 / (1 + Math.Exp(-s))));

    [Fact]
    public void SumsBinaryCrossEntropyOfDotProducts()
    {
        double[] labels = [1, 0, 0, 1];
        double expected = 0;
        for (int i = 0; i < 4; i++) expected += Bce(Dot(E1[i], E2[i]), labels[i]);
        var loss = new ContrastiveTensionLoss(null);
        Assert.Equal(expected, Item(loss.ComputeFromEmbeddings(T(E1), T(E2), V(labels))), 4);
    }

    [Theory]
    [InlineData("cosine", 20.0)]
    [InlineData("dot", 1.0)]
    public void InBatchNegativesAveragesBothDirections(string similarity, double scale)
    {
        int n = E1.Length;
        double[,] s = new double[n, n];
        for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            s[i, j] = scale * Sim(similarity, E1[i], E2[j]);
        double rows = 0, columns = 0;
        for (int i = 0; i < n; i++)
        {
            rows += LogSumExp(Enumerable.Range(0, n).Select(j => s[i, j])) - s[i, i];
            columns += LogSumExp(Enumerable.Range(0, n).Select(j => s[j, i])) - s[i, i];
        }

        double expected = (rows / n + columns / n) / 2;
        var loss = new ContrastiveTensionLossInBatchNegatives(null, scale, similarity);
        Assert.Equal(expected, Item(loss.ComputeFromEmbeddings(T(E1), T(E2))), 4);
        Assert.Equal(scale, (double)loss.Config["scale"]!, 4);
        Assert.Single(loss.parameters());
    }

    [Fact]
    public void PairBuilderFollowsTheDataLoaderPattern()
    {
        string[] sentences = Enumerable.Range(0, 40).Select(i => $"sentence {i}").ToArray();
        var rows = ContrastiveTensionPairs.Build(sentences, posNegRatio: 4, seed: 3);
        for (int r = 0; r < rows.Count; r++)
        {
            bool positive = r % 4 == 0;
            Assert.Equal(positive ? 1 : 0, rows[r].Label);
            Assert.Equal(positive, rows[r].Text1 == rows[r].Text2);
        }

        // Every sentence is consumed once as text1 (positives) or as a (text1, text2) couple (negatives).
        var used = rows.SelectMany(r => r.Label == 1 ? new[] { r.Text1 } : new[] { r.Text1, r.Text2 }).ToList();
        Assert.Equal(used.Count, used.Distinct().Count());
        Assert.True(used.Count >= sentences.Length - 1);
        Assert.NotEqual(rows.Select(r => r.Text1), ContrastiveTensionPairs.Build(sentences, 4, seed: 4)
            .Select(r => r.Text1));
        Assert.Throws<ArgumentException>(() => ContrastiveTensionPairs.Build(sentences, 0));
    }

    [Fact]
    public void CopiesTheModelAndDerivesLabelsFromIdenticalTexts()
    {
        using var model = TinyModels.Create(seed: 21);
        model.eval();
        var loss = (ContrastiveTensionLoss)LossRegistry.Create("ContrastiveTensionLoss", model);
        Assert.NotSame(model, loss.Model1);
        var modelWeights = model.parameters().ToList();
        var copyWeights = loss.Model1.parameters().ToList();
        Assert.Equal(modelWeights.Count, copyWeights.Count);
        Assert.All(modelWeights.Zip(copyWeights), p =>
        {
            Assert.NotSame(p.First, p.Second);
            Assert.True(p.First.eq(p.Second).all().item<bool>());
        });
        // The copy is trained too (a submodule of the loss), as in sentence-transformers.
        Assert.Equal(copyWeights.Count, loss.parameters().Count());

        string[] first = ["the dog is a pet", "a red car", "fish in the river", "the king"];
        string[] second = ["the dog is a pet", "a blue car", "fish in the river", "the queen"];
        List<Features> inputs = [model.Tokenize(first), model.Tokenize(second)];
        using (no_grad())
        {
            double implicitLabels = Item(loss.Compute(inputs, null));
            double explicitLabels = Item(loss.Compute(inputs, V(1, 0, 1, 0)));
            Assert.Equal(explicitLabels, implicitLabels, 5);
            double[][] a = Rows(loss.Model1.EmbedForTraining(first)), b = Rows(model.EmbedForTraining(second));
            double expected = Enumerable.Range(0, 4).Sum(i => Bce(Dot(a[i], b[i]), i % 2 == 0 ? 1 : 0));
            Assert.Equal(expected, implicitLabels, 3);
        }

        // After a step on the trained model only, the copy no longer matches it: the two encoders are independent.
        using (no_grad()) modelWeights[0].add_(1.0);
        Assert.False(modelWeights[0].eq(copyWeights[0]).all().item<bool>());
        loss.Dispose();
    }

    internal static double[][] Rows(Tensor t)
    {
        using Tensor d = t.detach().cpu().to_type(ScalarType.Float64);
        int n = (int)d.shape[0], w = (int)d.shape[1];
        double[] flat = d.data<double>().ToArray();
        return Enumerable.Range(0, n).Select(i => flat.Skip(i * w).Take(w).ToArray()).ToArray();
    }
}
