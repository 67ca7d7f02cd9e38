using StTrain.Core.Losses;
using StTrain.Core.Models;
using StTrain.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StTrain.Tests.Losses;

[Collection(TorchRandomCollection.Name)]
public sealed class LossRegistryTests
{
    [Fact]
    public void RegistersTheSentenceTransformersNames()
    {
        string[] expected =
        [
            "MultipleNegativesRankingLoss", "CachedMultipleNegativesRankingLoss",
            "MultipleNegativesSymmetricRankingLoss",
            "CachedMultipleNegativesSymmetricRankingLoss", "CoSENTLoss", "AnglELoss", "CosineSimilarityLoss", "MSELoss",
            "ContrastiveLoss", "OnlineContrastiveLoss", "TripletLoss", "MarginMSELoss", "SoftmaxLoss", "MatryoshkaLoss",
            "BatchAllTripletLoss", "BatchHardTripletLoss", "BatchSemiHardTripletLoss", "BatchHardSoftMarginTripletLoss",
            "GISTEmbedLoss", "MegaBatchMarginLoss", "DistillKLDivLoss", "GlobalOrthogonalRegularizationLoss",
            "ContrastiveTensionLoss", "ContrastiveTensionLossInBatchNegatives", "AdaptiveLayerLoss",
            "Matryoshka2dLoss", "CachedGISTEmbedLoss", "DenoisingAutoEncoderLoss",
        ];
        Assert.Subset(LossRegistry.Names.ToHashSet(), expected.ToHashSet());
        Assert.Same(LossRegistry.Get("MultipleNegativesRankingLoss"),
            LossRegistry.Get("losses.multiplenegativesrankingloss"));
        var error = Assert.Throws<ArgumentException>(() => LossRegistry.Get("NoSuchLoss"));
        Assert.Contains("CoSENTLoss", error.Message);
    }

    [Fact]
    public void MetadataCarriesTheConstraints()
    {
        LossInfo mnrl = LossRegistry.Get("MultipleNegativesRankingLoss");
        Assert.True(mnrl.RequiresNoDuplicatesSampler);
        Assert.False(mnrl.IncompatibleWithGradientCheckpointing);
        Assert.Equal((2, (int?)null), (mnrl.MinInputColumns, mnrl.MaxInputColumns));
        Assert.Equal(LabelKind.None, mnrl.LabelKind);

        LossInfo cached = LossRegistry.Get("CachedMultipleNegativesRankingLoss");
        Assert.True(cached.RequiresNoDuplicatesSampler);
        Assert.True(cached.IncompatibleWithGradientCheckpointing);
        Assert.True(cached.PerformsOwnBackward);
        Assert.Equal(32, cached.Parameters.Single(p => p.Name == "mini_batch_size").Default);

        Assert.True(LossRegistry.Get("MatryoshkaLoss").IsWrapper);
        Assert.Equal(LabelKind.Integer, LossRegistry.Get("SoftmaxLoss").LabelKind);
        Assert.Equal(LabelKind.FloatVector, LossRegistry.Get("MSELoss").LabelKind);
        Assert.Equal(20.0, LossRegistry.Get("CoSENTLoss").Parameters.Single(p => p.Name == "scale").Default);
        Assert.Equal(5.0, LossRegistry.Get("TripletLoss").Parameters.Single(p => p.Name == "triplet_margin").Default);
    }

    [Fact]
    public void CheckDatasetExplainsMismatches()
    {
        Assert.Null(LossRegistry.Get("MultipleNegativesRankingLoss").CheckDataset(3, LabelKind.None));
        Assert.Contains("has 1", LossRegistry.Get("MultipleNegativesRankingLoss").CheckDataset(1, LabelKind.None));
        Assert.Contains("needs a label", LossRegistry.Get("CoSENTLoss").CheckDataset(2, LabelKind.None));
        Assert.Null(LossRegistry.Get("CoSENTLoss").CheckDataset(2, LabelKind.Float));
        Assert.Contains("3", LossRegistry.Get("TripletLoss").CheckDataset(2, LabelKind.None));
        Assert.Contains("Integer", LossRegistry.Get("SoftmaxLoss").CheckDataset(2, LabelKind.Float));
        Assert.Null(LossRegistry.Get("AnglELoss").CheckDataset(3, LabelKind.None));
        Assert.NotNull(LossRegistry.Get("AnglELoss").CheckDataset(2, LabelKind.None));
        Assert.NotNull(LossRegistry.Get("MarginMSELoss").CheckDataset(4, LabelKind.Float));
        Assert.Null(LossRegistry.Get("MarginMSELoss").CheckDataset(3, LabelKind.Float));
        Assert.Null(LossRegistry.Get("MatryoshkaLoss").CheckDataset(1, LabelKind.None));
    }

    [Fact]
    public void ValidateParametersNamesTheParameterTheValueAndTheFix()
    {
        LossInfo mnrl = LossRegistry.Get("MultipleNegativesRankingLoss");
        Assert.Empty(mnrl.ValidateParameters(new LossParameters(new Dictionary<string, object?>
        {
            ["scale"] = "30", ["similarity_fct"] = "dot_score", ["directions"] = new List<object> { "query_to_doc" },
        })));

        string bad = Assert.Single(mnrl.ValidateParameters(new LossParameters(
            new Dictionary<string, object?> { ["scale"] = "abc" })));
        Assert.Contains("'scale'", bad);
        Assert.Contains("'abc'", bad);
        Assert.Contains("Fix:", bad);

        string unknown = Assert.Single(mnrl.ValidateParameters(new LossParameters(
            new Dictionary<string, object?> { ["scal"] = 3 })));
        Assert.Contains("unknown parameter 'scal'", unknown);
        Assert.Contains("scale", unknown);

        Assert.NotEmpty(mnrl.ValidateParameters(new LossParameters(
            new Dictionary<string, object?> { ["similarity_fct"] = "jaccard" })));
        Assert.NotEmpty(mnrl.ValidateParameters(new LossParameters(
            new Dictionary<string, object?> { ["scale"] = -1.0 })));
        using (Tensor before = torch.get_rng_state())
        {
            Assert.Empty(LossRegistry.Get("SoftmaxLoss").ValidateParameters(new LossParameters(
                new Dictionary<string, object?> { ["num_labels"] = 3 })));
            using Tensor after = torch.get_rng_state();
            Assert.True(before.eq(after).all().item<bool>(), "validating SoftmaxLoss parameters moved the generator");
        }

        Assert.Contains("num_labels",
            Assert.Single(LossRegistry.Get("SoftmaxLoss").ValidateParameters(LossParameters.Empty)));
        Assert.NotEmpty(LossRegistry.Get("MatryoshkaLoss").ValidateParameters(new LossParameters(
            new Dictionary<string, object?>
            {
                ["matryoshka_dims"] = new[] { 16, 8 }, ["matryoshka_weights"] = new[] { 1.0 },
            })));
        Assert.Empty(LossRegistry.Get("MatryoshkaLoss").ValidateParameters(new LossParameters(
            new Dictionary<string, object?> { ["matryoshka_dims"] = "[16, 8]" })));
        Assert.NotEmpty(LossRegistry.Get("ContrastiveLoss").ValidateParameters(new LossParameters(
            new Dictionary<string, object?> { ["distance_metric"] = "HAMMING" })));
    }

    [Fact]
    public void EveryLossBuildsThroughTheRegistryAndTrainsOnARealBatch()
    {
        string guideFolder = Path.Combine(Path.GetTempPath(), $"st-train-guide-{Guid.NewGuid():N}");
        using (var guideModel = TinyModels.Create(seed: 99)) guideModel.Save(guideFolder);
        using var model = TinyModels.Create(seed: 11);
        model.train();
        string[] a = ["the dog is a pet", "a red car", "fish in the river", "the king"];
        string[] b = ["a pet animal", "a vehicle", "water", "the queen"];
        string[] c = ["the sky", "a book", "the city", "music"];
        var cases = new (string Name, string[][] Columns, Func<Tensor?> Labels, Dictionary<string, object?> Params)[]
        {
            ("MultipleNegativesRankingLoss", [a, b, c], () => null, new()),
            ("CachedMultipleNegativesRankingLoss", [a, b, c], () => null, new() { ["mini_batch_size"] = 2 }),
            ("MultipleNegativesSymmetricRankingLoss", [a, b], () => null, new()),
            ("CachedMultipleNegativesSymmetricRankingLoss", [a, b], () => null, new() { ["mini_batch_size"] = 3 }),
            ("CoSENTLoss", [a, b], () => tensor(new[] { 0.9f, 0.1f, 0.5f, 0.3f }), new()),
            ("AnglELoss", [a, b, c], () => null, new()),
            ("CosineSimilarityLoss", [a, b], () => tensor(new[] { 0.9f, 0.1f, 0.5f, 0.3f }), new()),
            ("MSELoss", [a, b], () => randn(4, 32), new()),
            ("ContrastiveLoss", [a, b], () => tensor(new[] { 1L, 0, 1, 0 }), new()),
            ("OnlineContrastiveLoss", [a, b], () => tensor(new[] { 1L, 0, 1, 0 }), new() { ["margin"] = 2.0 }),
            ("TripletLoss", [a, b, c], () => null, new() { ["distance_metric"] = "COSINE", ["triplet_margin"] = 1.5 }),
            ("MarginMSELoss", [a, b, c], () => tensor(new[] { 1f, 2f, 0.5f, 3f }), new()),
            ("SoftmaxLoss", [a, b], () => tensor(new[] { 0L, 2, 1, 2 }), new() { ["num_labels"] = 3 }),
            ("BatchAllTripletLoss", [a], () => tensor(new[] { 0L, 1, 0, 1 }), new() { ["margin"] = 1.0 }),
            ("BatchHardTripletLoss", [a], () => tensor(new[] { 0L, 1, 0, 1 }), new() { ["margin"] = 1.0 }),
            ("BatchSemiHardTripletLoss", [a], () => tensor(new[] { 0L, 1, 0, 1 }), new()),
            ("BatchHardSoftMarginTripletLoss", [a], () => tensor(new[] { 0L, 1, 0, 1 }),
                new() { ["distance_metric"] = "cosine_distance" }),
            ("MegaBatchMarginLoss", [a, b], () => null, new() { ["mini_batch_size"] = 3 }),
            ("MegaBatchMarginLoss", [a, b], () => null, new() { ["use_mini_batched_version"] = false }),
            ("DistillKLDivLoss", [a, b, c], () => tensor(new[,] { { 2f, 1f }, { 0f, 1f }, { 3f, 0f }, { 1f, 1f } }),
                new()),
            ("GlobalOrthogonalRegularizationLoss", [a, b], () => null, new()),
            ("GISTEmbedLoss", [a, b, c], () => null, new() { ["guide"] = guideFolder }),
            ("CachedGISTEmbedLoss", [a, b, c, a], () => null,
                new() { ["guide"] = guideFolder, ["mini_batch_size"] = 3 }),
            ("ContrastiveTensionLoss", [a, [a[0], b[1], a[2], c[3]]], () => null, new()),
            ("ContrastiveTensionLoss", [a, b], () => tensor(new[] { 1L, 0, 0, 0 }), new()),
            ("ContrastiveTensionLossInBatchNegatives", [a], () => null, new() { ["scale"] = 10.0 }),
            ("DenoisingAutoEncoderLoss", [["dog pet", "red car", "river", "king"], a], () => null, new()),
        };

        foreach (var (name, columns, labels, parameters) in cases)
        {
            using var scope = NewDisposeScope();
            model.zero_grad();
            SentenceLoss loss = LossRegistry.Create(name, model, new LossParameters(parameters));
            Assert.Equal(name, loss.GetName());
            List<Features> inputs = columns.Select(col => model.Tokenize(col)).ToList();
            Tensor value = loss.Compute(inputs, labels());
            double v = value.item<float>();
            Assert.True(double.IsFinite(v), $"{name} gave {v}");
            if (!loss.PerformsOwnBackward) value.backward();
            double gradNorm = model.parameters().Where(p => p.grad is not null)
                .Sum(p => p.grad!.pow(2).sum().item<float>());
            Assert.True(gradNorm > 0 || v == 0, $"{name} produced no gradient");
            loss.Dispose();
        }

        Directory.Delete(guideFolder, recursive: true);
    }

    [Fact]
    public void MatryoshkaWrapsAnInnerLossFromTheRegistry()
    {
        using var model = TinyModels.Create(seed: 12);
        SentenceLoss inner = LossRegistry.Create("CachedMultipleNegativesRankingLoss", model);
        SentenceLoss loss = LossRegistry.Create("MatryoshkaLoss", model,
            new LossParameters(new Dictionary<string, object?> { ["matryoshka_dims"] = new List<object> { 32, 16 } }),
            inner);
        Assert.True(loss.PerformsOwnBackward);
        Assert.Throws<ArgumentException>(() => LossRegistry.Create("MatryoshkaLoss", model,
            new LossParameters(new Dictionary<string, object?> { ["matryoshka_dims"] = new[] { 64 } }),
            new CoSENTLoss(model)));
        Assert.Throws<ArgumentException>(() => LossRegistry.Create("MatryoshkaLoss", model,
            new LossParameters(new Dictionary<string, object?> { ["matryoshka_dims"] = new[] { 16 } })));
        Assert.Throws<ArgumentException>(() => LossRegistry.Create("CoSENTLoss", model, null, new CoSENTLoss(model)));
    }

    [Fact]
    public void LayerWrappersTrainThroughTheRegistry()
    {
        using var model = TinyModels.Create(seed: 14);
        model.train();
        string[] a = ["the dog is a pet", "a red car", "fish in the river", "the king"];
        string[] b = ["a pet animal", "a vehicle", "water", "the queen"];
        var cases = new (string Wrapper, Dictionary<string, object?> Params)[]
        {
            ("AdaptiveLayerLoss", new()),
            ("AdaptiveLayerLoss", new() { ["n_layers_per_step"] = -1, ["kl_temperature"] = 0.0 }),
            ("Matryoshka2dLoss", new() { ["matryoshka_dims"] = new[] { 32, 8 } }),
        };
        foreach (var (wrapper, parameters) in cases)
        {
            using var scope = NewDisposeScope();
            model.zero_grad();
            SentenceLoss inner = LossRegistry.Create("MultipleNegativesRankingLoss", model);
            SentenceLoss loss = LossRegistry.Create(wrapper, model, new LossParameters(parameters), inner);
            Assert.False(loss.PerformsOwnBackward);
            Tensor value = loss.Compute([model.Tokenize(a), model.Tokenize(b)], null);
            Assert.True(double.IsFinite(value.item<float>()), $"{wrapper} gave {value.item<float>()}");
            value.backward();
            double gradNorm = model.parameters().Where(p => p.grad is not null)
                .Sum(p => p.grad!.pow(2).sum().item<float>());
            Assert.True(gradNorm > 0, $"{wrapper} produced no gradient");
            loss.Dispose();
        }
    }

    [Fact]
    public void WrappersNeitherOwnNorDisposeTheModelOrTheGuide()
    {
        string guideFolder = Path.Combine(Path.GetTempPath(), $"st-train-guide-{Guid.NewGuid():N}");
        using (var guideModel = TinyModels.Create(seed: 97)) guideModel.Save(guideFolder);
        using var model = TinyModels.Create(seed: 15);
        SentenceLoss cachedGist = LossRegistry.Create("CachedGISTEmbedLoss", model,
            new LossParameters(new Dictionary<string, object?> { ["guide"] = guideFolder }));
        SentenceLoss matryoshka = LossRegistry.Create("MatryoshkaLoss", model,
            new LossParameters(new Dictionary<string, object?> { ["matryoshka_dims"] = new[] { 32, 16 } }), cachedGist);
        Assert.Empty(matryoshka.parameters());
        SentenceLoss adaptive = LossRegistry.Create("Matryoshka2dLoss", model,
            new LossParameters(new Dictionary<string, object?> { ["matryoshka_dims"] = new[] { 32, 16 } }),
            LossRegistry.Create("MultipleNegativesRankingLoss", model));
        Assert.Empty(adaptive.parameters());
        adaptive.Dispose();
        matryoshka.Dispose();
        model.zero_grad();
        Assert.NotEmpty(model.parameters());
        Directory.Delete(guideFolder, recursive: true);
    }
}
