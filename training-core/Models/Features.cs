using static TorchSharp.torch;

namespace StTrain.Core.Models;

/// <summary>
/// Named tensors that flow through a model pipeline: "input_ids", "attention_mask", "token_type_ids" (int64 [B, T]),
/// "token_embeddings" (float [B, T, H]), "sentence_embedding" (float [B, D]) and, for prompts excluded from pooling,
/// "prompt_length" (int64 scalar).
/// </summary>
public sealed class Features : Dictionary<string, Tensor>, IDisposable
{
    public const string InputIds = "input_ids";
    public const string AttentionMask = "attention_mask";
    public const string TokenTypeIds = "token_type_ids";
    public const string TokenEmbeddings = "token_embeddings";
    public const string SentenceEmbedding = "sentence_embedding";
    public const string PromptLength = "prompt_length";

    public Features() : base(StringComparer.Ordinal) { }

    public Features(IDictionary<string, Tensor> source) : base(source, StringComparer.Ordinal) { }

    /// <summary>Number of rows in the batch.</summary>
    public long BatchSize => this[ContainsKey(InputIds) ? InputIds : SentenceEmbedding].shape[0];

    /// <summary>A copy whose tensors live on <paramref name="device"/>.</summary>
    public Features To(Device device)
    {
        var moved = new Features();
        foreach (var (key, value) in this) moved[key] = value.device == device ? value : value.to(device);
        return moved;
    }

    /// <summary>The rows [start, start + length) of every batch-shaped tensor.</summary>
    public Features Slice(long start, long length)
    {
        var slice = new Features();
        foreach (var (key, value) in this)
            slice[key] = value.dim() == 0 ? value : value.narrow(0, start, length);
        return slice;
    }

    public void Dispose()
    {
        foreach (var tensor in Values) tensor.Dispose();
        Clear();
    }
}
