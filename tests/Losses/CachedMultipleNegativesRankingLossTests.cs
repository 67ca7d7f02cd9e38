using StTrain.Core.Losses;
using StTrain.Core.Models;
using StTrain.Tests.Support;
using TorchSharp;
using Xunit;
using static StTrain.Tests.Losses.Ref;
using static TorchSharp.torch;

namespace StTrain.Tests.Losses;

/// <summary>
/// The cached loss must give the value and the parameter gradients of the full-batch loss. Gradients are compared
/// on a small random BERT (tests/Support/TinyModels).
/// </summary>
[Collection(TorchRandomCollection.Name)]
public sealed class CachedMultipleNegativesRankingLossTests
{
    private static readonly string[] Anchors =
    [
        "the dog is a pet", "a red car on the road", "fish in the river", "the king and the queen",
        "a big tree with green leaf", "music and song", "bread and apple food", "children learn in school",
    ];

    private static readonly string[] Positives =
    [
        "a pet animal", "vehicle on the road", "water and fish", "queen and king", "green plant", "a song",
        "eat fruit", "teach a child", 
    ];

    private static readonly string[] Negatives =
    [
        "the sky", "a slow walk", "read a book", "the big city", "the blue sea", "a window", "the door",
        "run fast",
    ];

    [Fact]
    public void ValueOnEmbeddingsEqualsMultipleNegativesRankingLoss()
    {
        double[][] q = Rand(5, 4, 1), p = Rand(5, 4, 2), n = Rand(5, 4, 3);
        double expected = Item(new MultipleNegativesRankingLoss(null).ComputeFromEmbeddings([T(q), T(p), T(n)], null));
        var cached = new CachedMultipleNegativesRankingLoss(null, miniBatchSize: 2);
        Assert.Equal(expected, Item(cached.ComputeFromEmbeddings([T(q), T(p), T(n)], null)), 5);
        Assert.True(cached.PerformsOwnBackward);
    }

    private static List<Features> Tokenize(SentenceTransformer model, params string[][] columns) =>
        columns.Select(c => model.Tokenize(c)).ToList();

    private static (double Loss, Tensor[] Grads) Run(SentenceTransformer model, SentenceLoss loss,
        IReadOnlyList<Features> inputs, long seed)
    {
        model.zero_grad();
        manual_seed(seed);
        Tensor value = loss.Compute(inputs, null);
        if (!loss.PerformsOwnBackward) value.backward();
        else Assert.False(value.requires_grad);
        Tensor[] grads = model.parameters().Select(p => p.grad is null ? zeros_like(p) : p.grad.clone()).ToArray();
        return (Item(value), grads);
    }

    private static void AssertSameGradients(Tensor[] expected, Tensor[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxAbs = expected.Max(g => g.abs().max().item<float>());
        Assert.True(maxAbs > 0, "the reference gradients are all zero, so the comparison proves nothing");
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = (expected[i] - actual[i]).abs().max().item<float>();
            Assert.True(diff <= tolerance * maxAbs, $"parameter {i}: max |difference| {diff} vs max |grad| {maxAbs}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public void ParameterGradientsEqualTheFullBatchLoss(int miniBatchSize)
    {
        using var model = TinyModels.Create(seed: 3);
        model.eval();
        var inputs = Tokenize(model, Anchors, Positives, Negatives);
        var reference = Run(model, new MultipleNegativesRankingLoss(model), inputs, 1);
        var cached = Run(model, new CachedMultipleNegativesRankingLoss(model, miniBatchSize: miniBatchSize),
            inputs, 1);
        Assert.Equal(reference.Loss, cached.Loss, 4);
        AssertSameGradients(reference.Grads, cached.Grads, 1e-4);
    }

    [Fact]
    public void DropoutMasksAreReplayedInTheSecondPass()
    {
        // With one mini-batch per column, the cached loss draws its dropout masks in the same order as the
        // full-batch loss, so in train mode both agree only if the second pass replays the first pass's masks.
        using var model = TinyModels.Create(seed: 5);
        model.train();
        var inputs = Tokenize(model, Anchors, Positives);
        var reference = Run(model, new MultipleNegativesRankingLoss(model), inputs, 42);
        var cached = Run(model, new CachedMultipleNegativesRankingLoss(model, miniBatchSize: 8), inputs, 42);
        Assert.Equal(reference.Loss, cached.Loss, 4);
        AssertSameGradients(reference.Grads, cached.Grads, 1e-4);

        // A different seed changes the masks and therefore the gradients (the check above can fail).
        var other = Run(model, new MultipleNegativesRankingLoss(model), inputs, 43);
        Assert.NotEqual(reference.Loss, other.Loss, 4);
    }

    [Fact]
    public void BackwardScaleScalesGradientsOnly()
    {
        using var model = TinyModels.Create(seed: 3);
        model.eval();
        var inputs = Tokenize(model, Anchors, Positives);
        var full = Run(model, new CachedMultipleNegativesRankingLoss(model, miniBatchSize: 4), inputs, 1);
        var halved = Run(model, new CachedMultipleNegativesRankingLoss(model, miniBatchSize: 4) { BackwardScale = 0.5 },
            inputs, 1);
        Assert.Equal(full.Loss, halved.Loss, 5);
        AssertSameGradients(full.Grads.Select(g => g * 0.5).ToArray(), halved.Grads, 1e-5);
    }

    [Fact]
    public void UnderNoGradItOnlyComputesTheValue()
    {
        using var model = TinyModels.Create(seed: 3);
        model.eval();
        var inputs = Tokenize(model, Anchors, Positives);
        double expected;
        using (no_grad()) expected = Item(new MultipleNegativesRankingLoss(model).Compute(inputs, null));
        model.zero_grad();
        using (no_grad())
        {
            double value = Item(new CachedMultipleNegativesRankingLoss(model, miniBatchSize: 3).Compute(inputs, null));
            Assert.Equal(expected, value, 4);
        }

        Assert.All(model.parameters(), p => Assert.True(p.grad is null || p.grad.abs().max().item<float>() == 0));
    }

    [Fact]
    public void MatryoshkaAroundCachedLossMatchesMatryoshkaAroundPlainLoss()
    {
        using var model = TinyModels.Create(seed: 9);
        model.eval();
        var inputs = Tokenize(model, Anchors, Positives, Negatives);
        int[] dims = [32, 16, 8];
        double[] weights = [1, 0.5, 0.25];
        var reference = Run(model,
            new MatryoshkaLoss(model, new MultipleNegativesRankingLoss(model), dims, weights), inputs, 1);
        var cachedLoss = new MatryoshkaLoss(model,
            new CachedMultipleNegativesRankingLoss(model, miniBatchSize: 3), dims, weights);
        Assert.True(cachedLoss.PerformsOwnBackward);
        var cached = Run(model, cachedLoss, inputs, 1);
        Assert.Equal(reference.Loss, cached.Loss, 4);
        AssertSameGradients(reference.Grads, cached.Grads, 1e-4);
    }

    [Fact]
    public void SymmetricCachedMatchesSymmetricPlain()
    {
        using var model = TinyModels.Create(seed: 4);
        model.eval();
        var inputs = Tokenize(model, Anchors, Positives);
        var reference = Run(model, new MultipleNegativesSymmetricRankingLoss(model), inputs, 1);
        var cached = Run(model, new CachedMultipleNegativesSymmetricRankingLoss(model, miniBatchSize: 3), inputs, 1);
        Assert.Equal(reference.Loss, cached.Loss, 4);
        AssertSameGradients(reference.Grads, cached.Grads, 1e-4);
    }

    [Fact]
    public void MegaBatchMarginMiniBatchedGradientsEqualTheWholeBatchVersion()
    {
        using var model = TinyModels.Create(seed: 6);
        model.eval();
        var inputs = Tokenize(model, Anchors, Positives);
        var reference = Run(model, new MegaBatchMarginLoss(model, useMiniBatchedVersion: false), inputs, 1);
        var cached = Run(model, new MegaBatchMarginLoss(model, miniBatchSize: 3), inputs, 1);
        Assert.Equal(reference.Loss, cached.Loss, 4);
        AssertSameGradients(reference.Grads, cached.Grads, 1e-4);
    }
}
