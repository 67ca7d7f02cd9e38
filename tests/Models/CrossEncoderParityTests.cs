using Microsoft.ML.OnnxRuntime;
using StTrain.Core.Models;
using StTrain.Core.Models.IO;
using StTrain.Core.Runtime;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace StTrain.Tests.Models;

/// <summary>
/// A CrossEncoder started from the bundled all-MiniLM-L6-v2 encoder, against a reference built without any of our
/// model code: Hugging Face tokenizers' golden ids for each side joined as [CLS] a [SEP] b [SEP] with token types
/// 0/1, ONNX Runtime on the package's own graph for the last hidden state, then the pooler (weights read from the
/// imported folder's safetensors) and the classifier with sigmoid, written out as loops in doubles.
/// </summary>
public sealed class CrossEncoderParityTests(ITestOutputHelper output)
{
    private static readonly (string, string)[] Pairs =
    [
        ("How do I reset my password?", "A man is playing a guitar."),
        ("The quick brown fox jumps over the lazy dog.",
            "Photosynthesis converts light energy into chemical energy stored in glucose."),
        ("Café crème brûlée à la française.",
            "The Eiffel Tower was completed in 1889 for the World's Fair in Paris."),
        ("hello", "Stock markets fell sharply after the central bank raised interest rates by 0.75%."),
        ("antidisestablishmentarianism", "unaffable"),
        ("42", "?"),
        ("", "Hello"),
    ];

    [Fact]
    public void Scores_match_onnx_runtime_with_the_pooler_and_classifier_written_out()
    {
        TorchRuntime.Initialize();
        var package = BundledPackage.MiniLM;
        string folder = ModelResolver.Resolve(package.Id);
        using var model = CrossEncoder.FromEncoder(package.Id, seed: 7, device: CPU);
        Assert.Equal(512, model.MaxLength); // min(tokenizer model_max_length, max_position_embeddings)
        Assert.Equal(CrossEncoder.Sigmoid, model.ActivationFunction);

        // Reference inputs: Hugging Face's own ids per side, joined as BertTokenizerFast joins a pair.
        var ids = new long[Pairs.Length][];
        var types = new long[Pairs.Length][];
        for (int i = 0; i < Pairs.Length; i++)
        {
            long[] first = HuggingFaceTokenIds.For(Pairs[i].Item1, 512);
            long[] second = HuggingFaceTokenIds.For(Pairs[i].Item2, 512);
            ids[i] = [.. first, .. second[1..]];
            types[i] = [.. first.Select(_ => 0L), .. second[1..].Select(_ => 1L)];
        }
        using (var features = model.Tokenize(Pairs))
        {
            // Our pair tokenization gives the same rows (right-padded to the longest).
            for (int i = 0; i < Pairs.Length; i++)
            {
                long[] row = features[Features.InputIds][i].data<long>().ToArray();
                long[] rowTypes = features[Features.TokenTypeIds][i].data<long>().ToArray();
                Assert.Equal(ids[i], row.Take(ids[i].Length));
                Assert.Equal(types[i], rowTypes.Take(ids[i].Length));
            }
        }

        // Pooler weights from the imported folder itself, classifier weights from the model's fresh head.
        var imported = SafeTensorsFile.Load(Path.Combine(folder, "model.safetensors"));
        double[,] poolerWeight = Matrix(imported["pooler.dense.weight"]);
        double[] poolerBias = Vector(imported["pooler.dense.bias"]);
        foreach (var tensor in imported.Values) tensor.Dispose();
        var head = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        double[,] classifierWeight = Matrix(head["classifier.weight"]);
        double classifierBias = Vector(head["classifier.bias"])[0];

        using var session = new InferenceSession(package.ReadResource("model.onnx"),
            new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 });
        double[] Pooled(long[] inputIds, long[] tokenTypes)
        {
            // pooled = tanh(W·h_CLS + b)
            float[] cls = OnnxClsHidden(session, inputIds, tokenTypes);
            var pooled = new double[cls.Length];
            for (int o = 0; o < cls.Length; o++)
            {
                double sum = poolerBias[o];
                for (int k = 0; k < cls.Length; k++) sum += poolerWeight[o, k] * cls[k];
                pooled[o] = Math.Tanh(sum);
            }
            return pooled;
        }
        double Logit(long[] inputIds, long[] tokenTypes)
        {
            // logit = w·pooled + b
            double[] pooled = Pooled(inputIds, tokenTypes);
            double logit = classifierBias;
            for (int o = 0; o < pooled.Length; o++) logit += classifierWeight[0, o] * pooled[o];
            return logit;
        }
        static double Sigmoid(double logit) => 1 / (1 + Math.Exp(-logit));

        double[] logits = Enumerable.Range(0, Pairs.Length).Select(i => Logit(ids[i], types[i])).ToArray();
        double[] expected = logits.Select(Sigmoid).ToArray();
        float[] actual = model.Predict(Pairs, batchSize: 3);
        float[] actualLogits = model.Predict(Pairs, batchSize: 4, applyActivation: false);
        for (int i = 0; i < Pairs.Length; i++)
        {
            output.WriteLine($"{expected[i]:F7} {actual[i]:F7} logit {logits[i]:F7} {actualLogits[i]:F7}  " +
                             $"{Pairs[i].Item1} | {Pairs[i].Item2}");
            Assert.Equal(expected[i], actual[i], 1e-5);
            Assert.Equal(logits[i], actualLogits[i], 1e-5);
        }

        // The pooler output itself (the classifier's input; its logits are small while the head is untrained).
        using (no_grad())
        using (var features = model.Tokenize(Pairs))
        {
            var hidden = model.Encoder.forward(features[Features.InputIds], features[Features.AttentionMask],
                features[Features.TokenTypeIds]);
            using var pooled = model.Encoder.Pool(hidden);
            for (int i = 0; i < Pairs.Length; i++)
            {
                float[] ours = pooled[i].data<float>().ToArray();
                double[] reference = Pooled(ids[i], types[i]);
                for (int d = 0; d < reference.Length; d++) Assert.Equal(reference[d], ours[d], 1e-5);
            }
        }

        // Guards against a part being ignored on both sides: the scores differ between pairs, and token types
        // change them.
        Assert.True(expected.Max() - expected.Min() > 1e-3, "all pairs score the same");
        double typeBlind = Sigmoid(Logit(ids[1], new long[ids[1].Length]));
        output.WriteLine($"token types all 0: {typeBlind:F7}");
        Assert.True(Math.Abs(typeBlind - expected[1]) > 1e-5, "token_type_ids made no difference");
    }

    /// <summary>last_hidden_state[0, 0] (the [CLS] vector) of one unpadded sequence.</summary>
    private static float[] OnnxClsHidden(InferenceSession session, long[] ids, long[] types)
    {
        long[] shape = [1, ids.Length];
        long[] mask = ids.Select(_ => 1L).ToArray();
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids.ToArray(), shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(types.ToArray(), shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"],
            [idsValue, maskValue, typesValue], ["last_hidden_state"]);
        var data = outputs[0].GetTensorDataAsSpan<float>();
        int hidden = data.Length / ids.Length;
        return data[..hidden].ToArray();
    }

    private static double[,] Matrix(Tensor tensor)
    {
        float[] flat = tensor.detach().cpu().contiguous().data<float>().ToArray();
        int rows = (int)tensor.shape[0], columns = (int)tensor.shape[1];
        var result = new double[rows, columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                result[r, c] = flat[r * columns + c];
        return result;
    }

    private static double[] Vector(Tensor tensor) =>
        tensor.detach().cpu().data<float>().ToArray().Select(v => (double)v).ToArray();
}
