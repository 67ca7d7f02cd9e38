using StTrain.Core.Losses;
using StTrain.Core.Models;
using StTrain.Tests.Support;
using TorchSharp;
using Xunit;
using static StTrain.Tests.Losses.Ref;
using static TorchSharp.torch;

namespace StTrain.Tests.Losses;

[Collection(TorchRandomCollection.Name)]
public sealed class AdaptiveLayerLossTests
{
    private static readonly double[] Scores = [0.1, 0.8, 0.4, 0.9];

    /// <summary>layers[k][c]: column c at layer k (3 layers, 2 columns, 4 rows, 6 dims).</summary>
    private static readonly double[][][][] Layers = Enumerable.Range(0, 3)
        .Select(k => new[] { Rand(4, 6, 60 + 2 * k), Rand(4, 6, 61 + 2 * k) }).ToArray();

    internal static double CoSent(double[][] a, double[][] b, double[] scores, double scale = 20)
    {
        double[] s = a.Select((r, i) => scale * Cos(r, b[i])).ToArray();
        var terms = new List<double> { 0 };
        for (int i = 0; i < s.Length; i++)
        for (int j = 0; j < s.Length; j++)
            if (scores[i] < scores[j]) terms.Add(s[i] - s[j]);
        return LogSumExp(terms);
    }

    /// <summary>sum over rows of KL(softmax(p/T) || softmax(q/T)), divided by the number of rows.</summary>
    internal static double Kl(double[][] final, double[][] layer, double t)
    {
        double total = 0;
        for (int r = 0; r < final.Length; r++)
        {
            double[] p = Softmax(final[r], t), q = Softmax(layer[r], t);
            for (int d = 0; d < p.Length; d++) total += p[d] * (Math.Log(p[d]) - Math.Log(q[d]));
        }

        return total / final.Length;
    }

    private static double[] Softmax(double[] x, double t)
    {
        double m = x.Max(v => v / t);
        double[] e = x.Select(v => Math.Exp(v / t - m)).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }

    private static double[][] Stack(double[][][] columns) => columns.SelectMany(c => c).ToArray();

    /// <summary>The reference of the whole objective with every earlier layer selected.</summary>
    internal static double Expected(double[][][][] layers, Func<double[][][], double> inner, double lastWeight,
        double priorWeight, double klWeight, double t, Func<int, double> layerWeight)
    {
        int last = layers.Length - 1;
        double total = lastWeight * inner(layers[last]);
        for (int k = 0; k < last; k++)
        {
            total += priorWeight * layerWeight(k) / last * inner(layers[k]);
            if (t > 0) total += klWeight * t * Kl(Stack(layers[last]), Stack(layers[k]), t);
        }

        return total;
    }

    private static IReadOnlyList<IReadOnlyList<Tensor>> AsTensors(double[][][][] layers) =>
        layers.Select(l => (IReadOnlyList<Tensor>)l.Select(T).ToList()).ToList();

    [Theory]
    [InlineData("uniform", 1.0, 1.0, 1.0, 0.3)]
    [InlineData("linear", 0.7, 2.0, 0.5, 0.3)]
    [InlineData("log", 1.0, 0.5, 3.0, 1.5)]
    [InlineData("uniform", 1.0, 1.0, 1.0, 0.0)]
    public void AddsWeightedLayerLossesAndKlTerms(string weighting, double last, double prior, double kl, double t)
    {
        var loss = new AdaptiveLayerLoss(null, new CoSENTLoss(null), nLayersPerStep: -1, lastLayerWeight: last,
            priorLayersWeight: prior, klDivWeight: kl, klTemperature: t, layerWeighting: weighting);
        Func<int, double> w = weighting switch
        {
            "linear" => k => 1.0 / (1 + k),
            "log" => k => 1.0 / (1 + Math.Log(1 + k)),
            _ => _ => 1.0,
        };
        double expected = Expected(Layers, c => CoSent(c[0], c[1], Scores), last, prior, kl, t, w);
        Assert.Equal(expected, Item(loss.ComputeFromLayerEmbeddings(AsTensors(Layers), V(Scores))), 4);
    }

    [Fact]
    public void NLayersPerStepSamplesOneEarlierLayer()
    {
        var loss = new AdaptiveLayerLoss(null, new CoSENTLoss(null));
        double[] candidates = Enumerable.Range(0, 2).Select(k =>
            Expected([Layers[k], Layers[2]], c => CoSent(c[0], c[1], Scores), 1, 1, 1, 0.3, _ => 1.0)).ToArray();
        var seen = new HashSet<int>();
        for (int trial = 0; trial < 12; trial++)
        {
            double actual = Item(loss.ComputeFromLayerEmbeddings(AsTensors(Layers), V(Scores)));
            int match = Array.FindIndex(candidates, c => Math.Abs(c - actual) < 1e-4);
            Assert.True(match >= 0, $"{actual} matches no single-layer value ({string.Join(", ", candidates)})");
            seen.Add(match);
        }

        Assert.Equal(2, seen.Count);
    }

    [Fact]
    public void RejectsCachedInnerLossesAndUnknownWeighting()
    {
        var cached = new CachedMultipleNegativesRankingLoss(null);
        Assert.Contains("cannot be applied per layer",
            Assert.Throws<ArgumentException>(() => new AdaptiveLayerLoss(null, cached)).Message);
        Assert.Throws<ArgumentException>(() => new AdaptiveLayerLoss(null, new CoSENTLoss(null),
            layerWeighting: "cubic"));
        Assert.NotEmpty(LossRegistry.Get("AdaptiveLayerLoss").ValidateParameters(new LossParameters(
            new Dictionary<string, object?> { ["layer_weighting"] = "cubic" })));
    }

    /// <summary>Mean pooling by loops over a [B, T, H] hidden state and its attention mask.</summary>
    internal static double[][] MeanPool(Tensor hidden, Tensor mask)
    {
        using Tensor h = hidden.detach().cpu().to_type(ScalarType.Float64);
        using Tensor m = mask.cpu().to_type(ScalarType.Float64);
        int b = (int)h.shape[0], len = (int)h.shape[1], width = (int)h.shape[2];
        double[] flat = h.data<double>().ToArray(), keep = m.data<double>().ToArray();
        var result = new double[b][];
        for (int i = 0; i < b; i++)
        {
            result[i] = new double[width];
            double count = 0;
            for (int t = 0; t < len; t++)
            {
                if (keep[i * len + t] == 0) continue;
                count++;
                for (int d = 0; d < width; d++) result[i][d] += flat[(i * len + t) * width + d];
            }

            for (int d = 0; d < width; d++) result[i][d] /= count;
        }

        return result;
    }

    internal static double[][][][] PooledLayers(SentenceTransformer model, IReadOnlyList<Features> inputs)
    {
        var perColumn = inputs.Select(f => model.Transformer.Encoder.ForwardAllLayers(f[Features.InputIds],
            f[Features.AttentionMask], f[Features.TokenTypeIds], keepAll: true)
            .Select(h => MeanPool(h, f[Features.AttentionMask])).ToArray()).ToArray();
        int layers = perColumn[0].Length;
        return Enumerable.Range(0, layers).Select(k => perColumn.Select(c => c[k]).ToArray()).ToArray();
    }

    [Fact]
    public void PoolsEveryLayerOfTheModel()
    {
        using var model = TinyModels.Create(seed: 31);
        model.eval();
        string[] a = ["the dog is a pet", "a red car", "fish in the river", "the king"];
        string[] b = ["a pet animal", "a vehicle on the road", "water", "the queen and the king"];
        List<Features> inputs = [model.Tokenize(a), model.Tokenize(b)];
        SentenceLoss loss = LossRegistry.Create("AdaptiveLayerLoss", model, new LossParameters(
            new Dictionary<string, object?> { ["n_layers_per_step"] = -1, ["layer_weighting"] = "linear" }),
            new CoSENTLoss(model));
        using (no_grad())
        {
            double[][][][] layers = PooledLayers(model, inputs);
            Assert.Equal(3, layers.Length);
            double[][] forward = ContrastiveTensionLossTests.Rows(model.EmbedForTraining(a));
            Assert.Equal(forward[1][3], layers[2][0][1][3], 4);
            double expected = Expected(layers, c => CoSent(c[0], c[1], Scores), 1, 1, 1, 0.3, k => 1.0 / (1 + k));
            Assert.Equal(expected, Item(loss.Compute(inputs, V(Scores))), 3);
        }

        loss.Dispose();
    }
}
