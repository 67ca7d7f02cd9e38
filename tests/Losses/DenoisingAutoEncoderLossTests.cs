using StTrain.Core.Data;
using StTrain.Core.Losses;
using StTrain.Core.Models;
using StTrain.Tests.Support;
using TorchSharp;
using Xunit;
using static StTrain.Tests.Losses.Ref;
using static TorchSharp.torch;

namespace StTrain.Tests.Losses;

[Collection(TorchRandomCollection.Name)]
public sealed class DenoisingAutoEncoderLossTests
{
    private static SentenceTransformer Small(int seed)
    {
        manual_seed(seed);
        return SentenceTransformer.CreateFromScratch(TinyModels.Config(layers: 1, hidden: 8), TinyModels.Tokenizer(),
            "mean", normalize: false, maxSeqLength: 32);
    }

    private static double[] Flat(Tensor t)
    {
        using Tensor d = t.detach().cpu().to_type(ScalarType.Float64).contiguous();
        return d.data<double>().ToArray();
    }

    /// <summary>y = W x + b with W stored [out, in] row-major.</summary>
    private static double[] Linear(double[] w, double[] b, double[] x)
    {
        var y = new double[b.Length];
        for (int o = 0; o < b.Length; o++)
        {
            y[o] = b[o];
            for (int i = 0; i < x.Length; i++) y[o] += w[o * x.Length + i] * x[i];
        }

        return y;
    }

    private static double[] LayerNorm(double[] x, double[] w, double[] b, double eps = 1e-12)
    {
        double mean = x.Average(), variance = x.Select(v => (v - mean) * (v - mean)).Average();
        return x.Select((v, i) => (v - mean) / Math.Sqrt(variance + eps) * w[i] + b[i]).ToArray();
    }

    private static double[] Add(double[] a, double[] b) => a.Select((v, i) => v + b[i]).ToArray();

    /// <summary>erf by Abramowitz and Stegun 7.1.26 (|error| &lt; 1.5e-7), for the exact GELU.</summary>
    private static double Erf(double x)
    {
        double t = 1 / (1 + 0.3275911 * Math.Abs(x));
        double y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
            t * Math.Exp(-x * x);
        return x >= 0 ? y : -y;
    }

    private static double[] Gelu(double[] x) => x.Select(v => 0.5 * v * (1 + Erf(v / Math.Sqrt(2)))).ToArray();

    /// <summary>
    /// The decoder and its loss by loops, for one row: causal self-attention over the target prefix, cross-attention
    /// over the single memory vector (softmax over one key is 1, so its context is the memory's value projection),
    /// feed-forward, LM head tied to the word embeddings; loss terms -log softmax(logits_t)[x_(t+1)].
    /// </summary>
    private static List<double> RowTerms(Func<string, double[]> p, double[] memory, long[] ids, int heads, int pad)
    {
        int length = ids.Length - 1, width = memory.Length, dh = width / heads, vocab = p("bias").Length;
        double[] word = p("embeddings.word_embeddings.weight"), position = p("embeddings.position_embeddings.weight");
        double[] type = p("embeddings.token_type_embeddings.weight");
        var h = new double[length][];
        for (int t = 0; t < length; t++)
        {
            double[] sum = Enumerable.Range(0, width)
                .Select(d => word[ids[t] * width + d] + position[t * width + d] + type[d]).ToArray();
            h[t] = LayerNorm(sum, p("embeddings.LayerNorm.weight"), p("embeddings.LayerNorm.bias"));
        }

        const string L = "encoder.layer.0.";
        double[][] Project(string name, double[][] x) =>
            x.Select(r => Linear(p(L + name + ".weight"), p(L + name + ".bias"), r)).ToArray();
        double[][] q = Project("attention.self.query", h), k = Project("attention.self.key", h);
        double[][] v = Project("attention.self.value", h);
        var terms = new List<double>();
        double[] crossValue = Linear(p("cross.value.weight"), p("cross.value.bias"), memory);
        for (int t = 0; t < length; t++)
        {
            var context = new double[width];
            for (int head = 0; head < heads; head++)
            {
                double[] scores = Enumerable.Range(0, t + 1).Select(s => Enumerable.Range(head * dh, dh)
                    .Sum(d => q[t][d] * k[s][d]) / Math.Sqrt(dh)).ToArray();
                double max = scores.Max();
                double[] e = scores.Select(x => Math.Exp(x - max)).ToArray();
                for (int s = 0; s <= t; s++)
                for (int d = head * dh; d < (head + 1) * dh; d++)
                    context[d] += e[s] / e.Sum() * v[s][d];
            }

            double[] attended = LayerNorm(Add(h[t], Linear(p(L + "attention.output.dense.weight"),
                p(L + "attention.output.dense.bias"), context)), p(L + "attention.output.LayerNorm.weight"),
                p(L + "attention.output.LayerNorm.bias"));
            double[] crossed = LayerNorm(Add(attended, Linear(p("cross.dense.weight"), p("cross.dense.bias"),
                crossValue)), p("cross.LayerNorm.weight"), p("cross.LayerNorm.bias"));
            double[] inner = Gelu(Linear(p(L + "intermediate.dense.weight"), p(L + "intermediate.dense.bias"),
                crossed));
            double[] output = LayerNorm(Add(crossed, Linear(p(L + "output.dense.weight"), p(L + "output.dense.bias"),
                inner)), p(L + "output.LayerNorm.weight"), p(L + "output.LayerNorm.bias"));
            double[] z = LayerNorm(Gelu(Linear(p("transform.weight"), p("transform.bias"), output)),
                p("transform.LayerNorm.weight"), p("transform.LayerNorm.bias"));
            double[] logits = Linear(word, p("bias"), z);
            Assert.Equal(vocab, logits.Length);
            if (ids[t + 1] != pad) terms.Add(LogSumExp(logits) - logits[ids[t + 1]]);
        }

        return terms;
    }

    [Fact]
    public void ReconstructionLossMatchesTheDecoderComputedByLoops()
    {
        using var model = Small(seed: 61);
        var loss = (DenoisingAutoEncoderLoss)LossRegistry.Create("DenoisingAutoEncoderLoss", model);
        model.eval();
        loss.eval();
        Features targets = model.Tokenize(["the dog is a pet animal", "a red car", "fish in the river and the sea"]);
        Tensor memory = tensor(Rand(3, 8, 71).SelectMany(r => r.Select(x => (float)x)).ToArray(), [3, 8]);
        using (no_grad())
        {
            var encoder = model.Transformer.Encoder.named_parameters()
                .ToDictionary(x => x.name, x => Flat(x.parameter));
            var own = loss.named_parameters().ToDictionary(x => x.name, x => Flat(x.parameter));
            double[] P(string name) => name switch
            {
                "bias" => own["decoder.bias"],
                "transform.weight" => own["decoder.transform_dense.weight"],
                "transform.bias" => own["decoder.transform_dense.bias"],
                "transform.LayerNorm.weight" => own["decoder.transform_LayerNorm.weight"],
                "transform.LayerNorm.bias" => own["decoder.transform_LayerNorm.bias"],
                _ when name.StartsWith("cross.", StringComparison.Ordinal) =>
                    own["decoder.crossattention.0." + name["cross.".Length..]],
                _ => encoder[name],
            };

            long[] ids = targets[Features.InputIds].data<long>().ToArray();
            int width = (int)targets[Features.InputIds].shape[1];
            var terms = new List<double>();
            for (int r = 0; r < 3; r++)
            {
                terms.AddRange(RowTerms(P, Rand(3, 8, 71)[r], ids.Skip(r * width).Take(width).ToArray(), heads: 4,
                    pad: 0));
            }

            double actual = Item(loss.ComputeFromEmbeddings(memory, targets[Features.InputIds]));
            Assert.Equal(terms.Average(), actual, 4);
        }

        loss.Dispose();
    }

    [Fact]
    public void TiedDecoderSharesTheEncoderWeightsAndTrainsThem()
    {
        using var model = Small(seed: 62);
        model.train();
        var loss = (DenoisingAutoEncoderLoss)LossRegistry.Create("DenoisingAutoEncoderLoss", model);
        Assert.True(loss.TieEncoderDecoder);
        Assert.False(loss.NeedRetokenization);
        // Own weights: per layer 4 linear layers + LayerNorm of the cross-attention, and the head transform + bias.
        Assert.Equal(1 * (4 * 2 + 2) + 2 + 2 + 1, loss.parameters().Count());
        var encoderWeights = model.parameters().ToHashSet(ReferenceEqualityComparer.Instance);
        Assert.DoesNotContain(loss.parameters(), p => encoderWeights.Contains(p));

        var rows = DenoisingAutoEncoderPairs.Build(["the dog is a pet animal", "a red car on the road",
            "fish in the river", "children learn in school"], seed: 5);
        List<Features> inputs = [model.Tokenize(rows.Select(r => r.Damaged).ToList()),
            model.Tokenize(rows.Select(r => r.Original).ToList())];
        model.zero_grad();
        Tensor value = loss.Compute(inputs, null);
        Assert.True(double.IsFinite(value.item<float>()));
        value.backward();
        var named = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        // The word embeddings get gradient through the decoder's input and output as well as the encoder.
        Assert.True(named["0.auto_model.embeddings.word_embeddings.weight"].grad!.abs().sum().item<float>() > 0);
        Assert.True(named["0.auto_model.encoder.layer.0.attention.self.query.weight"].grad!.abs().sum()
            .item<float>() > 0);
        Assert.All(loss.parameters(), p => Assert.NotNull(p.grad));
        loss.Dispose();
        Assert.NotEmpty(model.parameters());
        model.zero_grad();
    }

    [Fact]
    public void UntiedDecoderTrainsItsOwnBert()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"st-train-decoder-{Guid.NewGuid():N}");
        using (var decoderModel = Small(seed: 63)) decoderModel.Save(folder);
        try
        {
            using var model = Small(seed: 64);
            var loss = (DenoisingAutoEncoderLoss)LossRegistry.Create("DenoisingAutoEncoderLoss", model,
                new LossParameters(new Dictionary<string, object?>
                {
                    ["tie_encoder_decoder"] = false, ["decoder_name_or_path"] = folder,
                }));
            Assert.Contains(loss.named_parameters(), p => p.name.StartsWith("decoder_bert.", StringComparison.Ordinal));
            List<Features> inputs = [model.Tokenize(["dog pet", "car"]), model.Tokenize(["the dog is a pet", "a car"])];
            Tensor value = loss.Compute(inputs, null);
            value.backward();
            // The decoder's BERT pooler is loaded but unused (Hugging Face's LM-head model has none).
            Assert.All(loss.named_parameters().Where(p => !p.name.Contains(".pooler.", StringComparison.Ordinal)),
                p => Assert.NotNull(p.parameter.grad));
            loss.Dispose();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void TiedDecoderReadsTheMaskedLmHeadFromTheCheckpoint()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"st-train-mlm-{Guid.NewGuid():N}");
        using (var source = Small(seed: 65)) source.Save(folder);
        try
        {
            string file = Path.Combine(folder, "model.safetensors");
            var weights = StTrain.Core.Models.IO.SafeTensorsFile.Load(file);
            int vocab = TinyModels.Config().VocabSize;
            float[] bias = Enumerable.Range(0, vocab).Select(i => i / 100f).ToArray();
            weights["cls.predictions.bias"] = tensor(bias);
            weights["cls.predictions.transform.dense.weight"] = full(8, 8, 0.25f);
            weights["cls.predictions.transform.dense.bias"] = zeros(8);
            weights["cls.predictions.transform.LayerNorm.weight"] = full(8, 2f);
            weights["cls.predictions.transform.LayerNorm.bias"] = zeros(8);
            StTrain.Core.Models.IO.SafeTensorsFile.Save(file, weights);
            using var model = SentenceTransformer.Load(folder);
            var loss = (DenoisingAutoEncoderLoss)LossRegistry.Create("DenoisingAutoEncoderLoss", model);
            Assert.True(loss.HeadFromCheckpoint);
            var own = loss.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            Assert.Equal(bias.Select(b => Math.Round(b, 5)), Flat(own["decoder.bias"]).Select(b => Math.Round(b, 5)));
            Assert.All(Flat(own["decoder.transform_dense.weight"]), w => Assert.Equal(0.25, w, 6));
            Assert.Equal(folder, loss.Config["decoder_name_or_path"]);
            loss.Dispose();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ParametersAreCheckedAgainstEachOther()
    {
        LossInfo info = LossRegistry.Get("DenoisingAutoEncoderLoss");
        Assert.Contains("tie_encoder_decoder", Assert.Single(info.ValidateParameters(new LossParameters(
            new Dictionary<string, object?> { ["decoder_name_or_path"] = "bert-base-uncased" }))));
        Assert.Contains("decoder_name_or_path", Assert.Single(info.ValidateParameters(new LossParameters(
            new Dictionary<string, object?> { ["tie_encoder_decoder"] = false }))));
        Assert.Null(info.CheckDataset(2, LabelKind.None));
        Assert.NotNull(info.CheckDataset(1, LabelKind.None));
    }

    [Fact]
    public void DeletionNoiseKeepsAboutFortyPercentOfTheWords()
    {
        string sentence = string.Join(" ", Enumerable.Range(0, 400).Select(i => $"w{i}"));
        string damaged = DenoisingAutoEncoderPairs.Delete(sentence, 0.6, new DeterministicRandom(1));
        string[] kept = damaged.Split(' ');
        Assert.InRange(kept.Length, 130, 190);
        // Survivors keep their order.
        int[] order = kept.Select(w => int.Parse(w[1..], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(order.Order(), order);

        Assert.Equal("Hello, world!", DenoisingAutoEncoderPairs.Delete("Hello, world!", 0.0,
            new DeterministicRandom(2)));
        for (int seed = 0; seed < 20; seed++)
        {
            string one = DenoisingAutoEncoderPairs.Delete("two words", 0.99, new DeterministicRandom(seed));
            Assert.True(one is "two" or "words", one);
        }

        var rows = DenoisingAutoEncoderPairs.Build(["a b c d e f", "g h i j"], seed: 3);
        Assert.Equal(["a b c d e f", "g h i j"], rows.Select(r => r.Original));
        Assert.Equal(rows, DenoisingAutoEncoderPairs.Build(["a b c d e f", "g h i j"], seed: 3));
        Assert.Throws<ArgumentException>(() => DenoisingAutoEncoderPairs.Build(["x"], delRatio: 1.0));
    }
}
