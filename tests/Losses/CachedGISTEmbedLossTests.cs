using StTrain.Core.Losses;
using StTrain.Core.Models;
using StTrain.Tests.Support;
using TorchSharp;
using Xunit;
using static StTrain.Tests.Losses.Ref;
using static TorchSharp.torch;

namespace StTrain.Tests.Losses;

[Collection(TorchRandomCollection.Name)]
public sealed class CachedGISTEmbedLossTests
{
    /// <summary>
    /// The guided loss by loops: per anchor, every candidate block (positives, anchors, positives, each negative
    /// column); a candidate whose guide similarity exceeds the guide's anchor-positive similarity minus the margin is
    /// dropped, except the anchor's own positive; loss = mean of logsumexp(kept / t) - cos(a_i, p_i) / t.
    /// </summary>
    private static double Reference(double[][][] model, double[][][] guide, double t, string strategy, double margin,
        bool anchors, bool positives)
    {
        int n = model[0].Length;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double positive = Cos(guide[0][i], guide[1][i]);
            double threshold = strategy == "absolute" ? positive - margin : positive - Math.Abs(positive) * margin;
            var logits = new List<double>();
            void Block(double[] row, double[][] candidates, double[] guideRow, double[][] guideCandidates, int keep)
            {
                for (int j = 0; j < n; j++)
                {
                    bool drop = Cos(guideRow, guideCandidates[j]) > threshold && j != keep;
                    logits.Add(drop ? double.NegativeInfinity : Cos(row, candidates[j]) / t);
                }
            }

            Block(model[0][i], model[1], guide[0][i], guide[1], i);
            if (anchors) Block(model[0][i], model[0], guide[0][i], guide[0], -1);
            if (positives) Block(model[1][i], model[1], guide[1][i], guide[1], -1);
            for (int c = 2; c < model.Length; c++) Block(model[0][i], model[c], guide[0][i], guide[c], -1);
            total += LogSumExp(logits) - Cos(model[0][i], model[1][i]) / t;
        }

        return total / n;
    }

    [Theory]
    [InlineData(2, "absolute", 0.0, true, true, 2)]
    [InlineData(4, "absolute", 0.1, true, false, 3)]
    [InlineData(3, "relative", 0.2, false, true, 5)]
    [InlineData(4, "relative", 0.05, false, false, 1)]
    public void MatchesTheGuidedLossByLoops(int columns, string strategy, double margin, bool anchors,
        bool positives, int miniBatchSize)
    {
        double[][][] model = Enumerable.Range(0, columns).Select(c => Rand(5, 4, 90 + c)).ToArray();
        // The guide sees noisy versions of the same vectors, so some candidates fall above the threshold.
        double[][][] guide = model.Select((m, c) => m.Select((r, i) => r.Select((v, k) =>
            v + 0.6 * Rand(5, 4, 120 + c)[i][k]).ToArray()).ToArray()).ToArray();
        var loss = new CachedGISTEmbedLoss(null, null, 0.05, miniBatchSize, strategy, margin, anchors, positives);
        double expected = Reference(model, guide, 0.05, strategy, margin, anchors, positives);
        double actual = Item(loss.ComputeFromEmbeddings(model.Select(T).ToList(), guide.Select(T).ToList()));
        Assert.Equal(expected, actual, 3);
        if (columns <= 3)
        {
            var plain = new GISTEmbedLoss(null, null, 0.05, strategy, margin, anchors, positives);
            Assert.Equal(actual, Item(plain.ComputeFromEmbeddings(model.Select(T).ToList(),
                guide.Select(T).ToList())), 3);
        }
    }

    [Fact]
    public void AGuideThatRetokenizesSeesTheOriginalTexts()
    {
        // The guide truncates earlier than the model, so both losses decode the model's token ids back to text and
        // tokenize it for the guide; the texts are short, so the guide must embed exactly what it would embed from
        // the texts themselves.
        using var model = TinyModels.Create(seed: 16);
        using var guide = TinyModels.Create(seed: 96);
        model.eval();
        guide.eval();
        guide.MaxSeqLength = 16;
        string[][] columns =
        [
            ["the dog is a pet", "a red car", "fish in the river", "the king", "a green tree", "the big house"],
            ["a pet animal", "a vehicle", "water", "the queen", "a plant with a leaf", "a home"],
            ["the sky", "a book", "the city", "music", "bread", "a small bird"],
        ];
        List<Features> inputs = columns.Select(c => model.Tokenize(c)).ToList();
        using var noGrad = no_grad();
        var embeddings = inputs.Select(f => model.forward(f)[Features.SentenceEmbedding]).ToList();
        var guided = columns.Select(c => guide.forward(guide.Tokenize(c))[Features.SentenceEmbedding]).ToList();

        using var plain = new GISTEmbedLoss(model, guide, 0.05, "absolute", 0.0);
        Assert.Equal(Item(plain.ComputeFromEmbeddings(embeddings, guided)), Item(plain.Compute(inputs, null)), 5);
        using var cached = new CachedGISTEmbedLoss(model, guide, 0.05, 4, "absolute", 0.0);
        Assert.Equal(Item(cached.ComputeFromEmbeddings(embeddings, guided)), Item(cached.Compute(inputs, null)), 5);
    }

    [Fact]
    public void GradientsEqualGISTEmbedLossOnTheModel()
    {
        string guideFolder = Path.Combine(Path.GetTempPath(), $"st-train-guide-{Guid.NewGuid():N}");
        using (var guideModel = TinyModels.Create(seed: 98)) guideModel.Save(guideFolder);
        try
        {
            using var model = TinyModels.Create(seed: 13);
            model.eval();
            string[] a = ["the dog is a pet", "a red car", "fish in the river", "the king", "a green tree"];
            string[] b = ["a pet animal", "a vehicle", "water", "the queen", "a plant with a leaf"];
            string[] c = ["the sky", "a book", "the city", "music", "bread"];
            List<Features> inputs = [model.Tokenize(a), model.Tokenize(b), model.Tokenize(c)];
            var parameters = new LossParameters(new Dictionary<string, object?>
            {
                ["guide"] = guideFolder, ["temperature"] = 0.05, ["margin"] = 0.05,
            });
            using SentenceLoss plain = LossRegistry.Create("GISTEmbedLoss", model, parameters);
            model.zero_grad();
            Tensor expected = plain.Compute(inputs, null);
            expected.backward();
            Tensor[] expectedGrads = model.parameters()
                .Select(p => p.grad is null ? zeros_like(p) : p.grad.clone()).ToArray();

            var cachedParameters = new LossParameters(new Dictionary<string, object?>(parameters.Values)
            {
                ["mini_batch_size"] = 2,
            });
            using SentenceLoss cached = LossRegistry.Create("CachedGISTEmbedLoss", model, cachedParameters);
            Assert.True(cached.PerformsOwnBackward);
            model.zero_grad();
            Tensor actual = cached.Compute(inputs, null);
            Assert.False(actual.requires_grad);
            Assert.Equal(Item(expected), Item(actual), 4);
            double maxAbs = expectedGrads.Max(g => g.abs().max().item<float>());
            Assert.True(maxAbs > 0);
            Tensor[] actualGrads = model.parameters().Select(p => p.grad ?? zeros_like(p)).ToArray();
            for (int i = 0; i < expectedGrads.Length; i++)
            {
                double diff = (expectedGrads[i] - actualGrads[i]).abs().max().item<float>();
                Assert.True(diff <= 1e-3 * maxAbs, $"parameter {i}: |difference| {diff} vs max |grad| {maxAbs}");
            }
        }
        finally
        {
            Directory.Delete(guideFolder, recursive: true);
        }
    }
}
