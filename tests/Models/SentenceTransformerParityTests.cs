using StTrain.Core.Models;
using StTrain.Core.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace StTrain.Tests.Models;

/// <summary>
/// End-to-end parity of the bundled models: SentenceTransformer.Load(bundled id).Encode (TorchSharp, through the
/// importer and the model resolver) against ONNX Runtime running the package's own graph.
/// </summary>
public sealed class SentenceTransformerParityTests(ITestOutputHelper output)
{
    private const double MinCosine = 0.99999;

    public static TheoryData<string> Packages => new() { BundledPackage.MiniLM.Id, BundledPackage.ArcticXs.Id };

    [Theory]
    [MemberData(nameof(Packages))]
    public void EncodeMatchesOnnxRuntimeOnVariedTexts(string id)
    {
        TorchRuntime.Initialize();
        var package = BundledPackage.ById(id);
        var texts = ParityTexts.All;
        Assert.True(texts.Count >= 100);
        using var model = SentenceTransformer.Load(id, TorchSharp.torch.CPU);
        using var ort = new OrtSentenceEncoder(package);

        Assert.Equal(384, model.EmbeddingDimension);
        Assert.Equal(package.MaxSeqLength, model.MaxSeqLength);
        Assert.Equal("cosine", model.SimilarityFunctionName);
        // Some texts run far past max_seq_length, so truncation is exercised.
        Assert.Contains(texts, t => ort.Tokenize(t).Length == package.MaxSeqLength);

        float[][] ours = model.Encode(texts, new EncodeOptions { BatchSize = 16 });
        float[][] reference = ort.Encode(texts);
        Report(id, "no prompt", texts, ours, reference);
    }

    [Fact]
    public void ArcticQueryPromptMatchesOnnxRuntime()
    {
        TorchRuntime.Initialize();
        var package = BundledPackage.ArcticXs;
        var texts = ParityTexts.All.Take(40).ToList();
        using var model = SentenceTransformer.Load("snowflake-arctic-embed-xs", TorchSharp.torch.CPU);
        using var ort = new OrtSentenceEncoder(package);

        Assert.Equal(package.QueryPrompt, model.Prompts["query"]);
        float[][] ours = model.Encode(texts, new EncodeOptions { PromptName = "query" });
        float[][] reference = ort.Encode(texts, package.QueryPrompt);
        Report(package.Id, "query prompt", texts, ours, reference);

        // The prompt changes the embedding: guards against a prompt silently ignored on both sides.
        float[][] plain = ort.Encode(texts.Take(5).ToList());
        Assert.All(Enumerable.Range(0, 5), i => Assert.True(OrtSentenceEncoder.Cosine(plain[i], reference[i]) < 0.999));
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void ModelMatchesOnnxRuntimeOnIdenticalTokenIds(string id)
    {
        // Both sides get Hugging Face tokenizers' ids (the golden file), so this isolates the imported weights and
        // the TorchSharp forward pass from any tokenizer difference.
        TorchRuntime.Initialize();
        var package = BundledPackage.ById(id);
        var texts = ParityTexts.All;
        using var model = SentenceTransformer.Load(id, TorchSharp.torch.CPU);
        using var ort = new OrtSentenceEncoder(package);
        long[][] ids = texts.Select(t => HuggingFaceTokenIds.For(t, package.MaxSeqLength)).ToArray();

        var ours = new List<float[]>();
        var reference = new List<float[]>();
        for (int start = 0; start < ids.Length; start += 16)
        {
            var batch = ids.Skip(start).Take(16).ToArray();
            ours.AddRange(ForwardOnIds(model, batch));
            reference.AddRange(ort.Encode(batch));
        }
        Report(id, "Hugging Face token ids", texts, ours.ToArray(), reference.ToArray());
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void TokenizerMatchesHuggingFaceOnEveryText(string id)
    {
        var texts = HuggingFaceTokenIds.Texts.ToList();
        Assert.True(texts.Count >= 160);
        var mismatches = TokenizerMismatches(id, texts);
        output.WriteLine($"{id}: {texts.Count - mismatches.Count} of {texts.Count} texts tokenized as Hugging " +
                         "Face does");
        Assert.Empty(mismatches);
    }

    private List<string> TokenizerMismatches(string id, IReadOnlyList<string> texts)
    {
        TorchRuntime.Initialize();
        var package = BundledPackage.ById(id);
        using var model = SentenceTransformer.Load(id, TorchSharp.torch.CPU);
        var mismatches = new List<string>();
        foreach (string text in texts)
        {
            using var features = model.Tokenize([text]);
            long[] ours = features[Features.InputIds][0].data<long>().ToArray();
            long[] expected = HuggingFaceTokenIds.For(text, package.MaxSeqLength);
            if (!ours.SequenceEqual(expected))
                mismatches.Add($"\"{text[..Math.Min(50, text.Length)]}\": ours [{string.Join(' ', ours.Take(12))}] " +
                               $"Hugging Face [{string.Join(' ', expected.Take(12))}]");
        }
        foreach (string m in mismatches) output.WriteLine(m);
        return mismatches;
    }

    private static IEnumerable<float[]> ForwardOnIds(SentenceTransformer model, long[][] ids)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var inference = TorchSharp.torch.inference_mode();
        int length = ids.Max(i => i.Length);
        var inputIds = new long[ids.Length, length];
        var mask = new long[ids.Length, length];
        for (int b = 0; b < ids.Length; b++)
            for (int t = 0; t < ids[b].Length; t++)
                (inputIds[b, t], mask[b, t]) = (ids[b][t], 1);
        using var features = new Features
        {
            [Features.InputIds] = TorchSharp.torch.tensor(inputIds),
            [Features.AttentionMask] = TorchSharp.torch.tensor(mask),
            [Features.TokenTypeIds] = TorchSharp.torch.zeros(ids.Length, length, TorchSharp.torch.ScalarType.Int64),
        };
        var embeddings = model.forward(features)[Features.SentenceEmbedding].contiguous();
        int width = (int)embeddings.shape[1];
        var flat = embeddings.data<float>().ToArray();
        return Enumerable.Range(0, ids.Length).Select(r => flat.AsSpan(r * width, width).ToArray()).ToList();
    }

    private void Report(string id, string what, IReadOnlyList<string> texts, float[][] ours, float[][] reference)
    {
        Assert.Equal(texts.Count, ours.Length);
        var cosines = Enumerable.Range(0, texts.Count).Select(i => OrtSentenceEncoder.Cosine(ours[i], reference[i]))
            .ToArray();
        int worst = Array.IndexOf(cosines, cosines.Min());
        output.WriteLine($"{id} ({what}): {texts.Count} texts, min cosine {cosines.Min():F9} " +
                         $"(1 - cos = {1 - cosines.Min():E2}), mean {cosines.Average():F9}; worst text #{worst}: " +
                         $"\"{texts[worst][..Math.Min(60, texts[worst].Length)]}\"");
        for (int i = 0; i < texts.Count; i++)
        {
            Assert.True(cosines[i] >= MinCosine,
                $"{id} ({what}): text #{i} \"{texts[i][..Math.Min(60, texts[i].Length)]}\" has cosine {cosines[i]:F9}");
            double norm = Math.Sqrt(ours[i].Sum(x => (double)x * x));
            Assert.InRange(norm, 0.9999, 1.0001);
        }
    }
}
