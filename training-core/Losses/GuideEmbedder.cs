using StTrain.Core.Models;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Embeds a batch tokenized for the trained model with a guide model (GISTEmbedLoss, CachedGISTEmbedLoss), without
/// autograd. When the guide's tokenizer differs from the model's (or it truncates earlier), the batch is decoded with
/// the model's tokenizer and re-tokenized for the guide, so texts the model saw only truncated reach the guide
/// truncated.
/// </summary>
internal sealed class GuideEmbedder
{
    private bool? mustRetokenize;

    /// <summary>The guide, or an error telling <paramref name="owner"/>'s user to set the 'guide' parameter.</summary>
    public static SentenceTransformer Require(SentenceTransformer? guide, string owner) =>
        guide ?? throw new InvalidOperationException(
            $"{owner} was created without a guide model. Fix: set its 'guide' parameter to a model id or path.");

    /// <summary>The guide's [B, D] sentence embeddings of <paramref name="column"/>, on the model's device.</summary>
    public Tensor Embed(SentenceTransformer model, SentenceTransformer guide, Features column)
    {
        using var noGrad = no_grad();
        Features guideInput =
            MustRetokenize(model, guide) ? guide.Tokenize(TokenizedTexts.Decode(model, column)) : column;
        return guide.forward(guideInput)[Features.SentenceEmbedding].to(model.Device);
    }

    /// <summary>
    /// Whether the guide needs its own tokenization: when it truncates earlier than the model, or its tokenizer
    /// splits a probe sentence differently (a different vocabulary).
    /// </summary>
    private bool MustRetokenize(SentenceTransformer model, SentenceTransformer guide)
    {
        if (mustRetokenize is bool known) return known;
        const string probe = "The quick brown fox jumps over the lazy dog; 1234 naïve café embeddings!";
        var mine = model.Transformer.Tokenizer;
        var theirs = guide.Transformer.Tokenizer;
        mustRetokenize = guide.MaxSeqLength < model.MaxSeqLength || mine.VocabSize != theirs.VocabSize ||
                         mine.LowerCase != theirs.LowerCase ||
                         !mine.TokenIds(probe).SequenceEqual(theirs.TokenIds(probe));
        return mustRetokenize.Value;
    }
}
