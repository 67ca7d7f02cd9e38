using StTrain.Core.Losses;
using StTrain.Tests.Support;
using Xunit;
using static StTrain.Tests.Losses.AdaptiveLayerLossTests;
using static StTrain.Tests.Losses.Ref;
using static TorchSharp.torch;

namespace StTrain.Tests.Losses;

[Collection(TorchRandomCollection.Name)]
public sealed class Matryoshka2dLossTests
{
    private static readonly double[] Scores = [0.3, 0.9, 0.1, 0.6];

    private static double[][] Cut(double[][] m, int d) => m.Select(r => Normalize(r.Take(d).ToArray())).ToArray();

    [Fact]
    public void AppliesMatryoshkaInsideAdaptiveLayers()
    {
        double[][][][] layers = Enumerable.Range(0, 3)
            .Select(k => new[] { Rand(4, 6, 80 + 2 * k), Rand(4, 6, 81 + 2 * k) }).ToArray();
        var loss = new Matryoshka2dLoss(null, new CoSENTLoss(null), [6, 3], [1.0, 0.5], nLayersPerStep: -1,
            nDimsPerStep: -1, priorLayersWeight: 0.8, klTemperature: 0.5);
        double Inner(double[][][] c) =>
            CoSent(Cut(c[0], 6), Cut(c[1], 6), Scores) + 0.5 * CoSent(Cut(c[0], 3), Cut(c[1], 3), Scores);
        double expected = Expected(layers, Inner, 1, 0.8, 1, 0.5, _ => 1.0);
        var tensors = layers.Select(l => (IReadOnlyList<Tensor>)l.Select(T).ToList()).ToList();
        Assert.Equal(expected, Item(loss.ComputeFromLayerEmbeddings(tensors, V(Scores))), 4);
        Assert.Equal("Matryoshka2dLoss", loss.GetName());
        Assert.Equal(-1, loss.Config["n_layers_per_step"]);
        Assert.Equal("CoSENTLoss", loss.Matryoshka.Inner.GetName());
    }

    [Fact]
    public void RegistryDefaultsSampleOneLayerAndOneDimension()
    {
        LossInfo info = LossRegistry.Get("Matryoshka2dLoss");
        Assert.True(info.IsWrapper);
        Assert.Equal(1, info.Parameters.Single(p => p.Name == "n_dims_per_step").Default);
        Assert.Equal(1, info.Parameters.Single(p => p.Name == "n_layers_per_step").Default);
        Assert.Equal(0.3, info.Parameters.Single(p => p.Name == "kl_temperature").Default);
        Assert.Contains("matryoshka_dims", Assert.Single(info.ValidateParameters(LossParameters.Empty)));

        using var model = TinyModels.Create(seed: 41);
        var loss = (Matryoshka2dLoss)LossRegistry.Create("Matryoshka2dLoss", model, new LossParameters(
            new Dictionary<string, object?> { ["matryoshka_dims"] = new[] { 32, 16, 8 } }),
            new MultipleNegativesRankingLoss(model));
        Assert.Equal(1, loss.Matryoshka.NDimsPerStep);
        Assert.Equal([32, 16, 8], loss.Matryoshka.MatryoshkaDims);
        loss.Dispose();
    }
}
