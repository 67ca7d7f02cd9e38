using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Models;

/// <summary>
/// PLACEHOLDER in branch h3-losses only, so the losses compile before the lead's Models land; deleted on merge.
/// </summary>
public sealed class SentenceTransformer : nn.Module<Features, Features>
{
    public SentenceTransformer() : base(nameof(SentenceTransformer)) { }

    public int EmbeddingDimension => throw new NotSupportedException("placeholder");
    public int MaxSeqLength => throw new NotSupportedException("placeholder");
    public string SimilarityFunctionName => "cosine";
    public Device Device => CPU;

    public Features Tokenize(IReadOnlyList<string> texts) => throw new NotSupportedException("placeholder");
    public override Features forward(Features input) => throw new NotSupportedException("placeholder");
    public Tensor EmbedForTraining(IReadOnlyList<string> texts) => throw new NotSupportedException("placeholder");
    public float[][] Encode(IReadOnlyList<string> texts, EncodeOptions? options = null) =>
        throw new NotSupportedException("placeholder");
    public Tensor EncodeToTensor(IReadOnlyList<string> texts, EncodeOptions? options = null) =>
        throw new NotSupportedException("placeholder");
}
