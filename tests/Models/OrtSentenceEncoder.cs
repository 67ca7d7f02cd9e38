using Microsoft.ML.OnnxRuntime;

namespace StTrain.Tests.Models;

/// <summary>
/// The reference pipeline the parity tests compare against: Hugging Face tokenizers' own token ids (the golden file
/// read by <see cref="HuggingFaceTokenIds"/>, so no C# tokenizer is involved), ONNX Runtime on the package's own
/// graph, then pooling and L2 normalisation written out as loops.
/// </summary>
public sealed class OrtSentenceEncoder : IDisposable
{
    private readonly InferenceSession session;
    private readonly BundledPackage package;

    public OrtSentenceEncoder(BundledPackage package)
    {
        this.package = package;
        var options = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 };
        session = new InferenceSession(package.ReadResource("model.onnx"), options);
    }

    public int MaxSeqLength => package.MaxSeqLength;

    /// <summary>
    /// Hugging Face's [CLS] + first MaxSeqLength - 2 word pieces + [SEP] of <paramref name="text"/>, which must be one
    /// of the golden texts (a parity text, or the Arctic query prompt + one of the first 40).
    /// </summary>
    public long[] Tokenize(string text) => HuggingFaceTokenIds.For(text, MaxSeqLength);

    /// <summary>last_hidden_state of one padded batch, [batch][token][hidden], and the token ids.</summary>
    public (float[][][] Hidden, long[][] Ids) LastHiddenState(IReadOnlyList<string> texts)
    {
        long[][] ids = texts.Select(Tokenize).ToArray();
        return (LastHiddenState(ids), ids);
    }

    /// <summary>last_hidden_state of one batch of token-id sequences (padded here), [batch][token][hidden].</summary>
    public float[][][] LastHiddenState(long[][] ids)
    {
        int batch = ids.Length, length = ids.Max(i => i.Length);
        var inputIds = new long[batch * length];
        var mask = new long[batch * length];
        var types = new long[batch * length];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < ids[b].Length; t++)
            {
                inputIds[b * length + t] = ids[b][t];
                mask[b * length + t] = 1;
            }
        long[] shape = [batch, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(types, shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions,
            ["input_ids", "attention_mask", "token_type_ids"], [idsValue, maskValue, typesValue],
            ["last_hidden_state"]);
        var data = outputs[0].GetTensorDataAsSpan<float>();
        int hidden = data.Length / (batch * length);
        var result = new float[batch][][];
        for (int b = 0; b < batch; b++)
        {
            result[b] = new float[ids[b].Length][];
            for (int t = 0; t < ids[b].Length; t++)
                result[b][t] = data.Slice((b * length + t) * hidden, hidden).ToArray();
        }
        return result;
    }

    /// <summary>Pooled, L2-normalised embeddings; <paramref name="prompt"/> is prepended to every text.</summary>
    public float[][] Encode(IReadOnlyList<string> texts, string? prompt = null, int batchSize = 16)
    {
        var result = new List<float[]>();
        for (int start = 0; start < texts.Count; start += batchSize)
        {
            var chunk = texts.Skip(start).Take(batchSize).Select(t => Tokenize((prompt ?? "") + t)).ToArray();
            foreach (var tokens in LastHiddenState(chunk)) result.Add(Normalize(Pool(tokens)));
        }
        return result.ToArray();
    }

    /// <summary>Pooled, L2-normalised embeddings of already tokenized sequences.</summary>
    public float[][] Encode(long[][] ids) => LastHiddenState(ids).Select(t => Normalize(Pool(t))).ToArray();

    private float[] Pool(float[][] tokens)
    {
        if (package.Pooling == "cls") return (float[])tokens[0].Clone();
        // mean over the real tokens: sum_t h_t / T (padding was already dropped per text)
        var mean = new double[tokens[0].Length];
        foreach (var token in tokens)
            for (int d = 0; d < mean.Length; d++) mean[d] += token[d];
        return mean.Select(v => (float)(v / tokens.Length)).ToArray();
    }

    private static float[] Normalize(float[] v)
    {
        // v / max(||v||_2, 1e-12)
        double norm = Math.Sqrt(v.Sum(x => (double)x * x));
        return v.Select(x => (float)(x / Math.Max(norm, 1e-12))).ToArray();
    }

    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }

    public void Dispose() => session.Dispose();
}
