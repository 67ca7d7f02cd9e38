using StTrain.Core.Models;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Turns a batch tokenized for a model back into text, for losses that must tokenize it again for another model
/// (a GIST guide, a TSDAE decoder with its own vocabulary).
/// </summary>
internal static class TokenizedTexts
{
    /// <summary>
    /// The texts of <paramref name="column"/>, decoded with <paramref name="model"/>'s tokenizer, leaving out padding
    /// (attention mask 0) and the CLS, SEP and PAD tokens.
    /// </summary>
    public static List<string> Decode(SentenceTransformer model, Features column)
    {
        var tokenizer = model.Transformer.Tokenizer;
        using Tensor ids = column[Features.InputIds].cpu();
        using Tensor mask = column[Features.AttentionMask].cpu();
        long rows = ids.shape[0], width = ids.shape[1];
        long[] flatIds = ids.data<long>().ToArray();
        long[] flatMask = mask.to_type(ScalarType.Int64).data<long>().ToArray();
        var texts = new List<string>((int)rows);
        for (long r = 0; r < rows; r++)
        {
            var tokens = new List<int>();
            for (long c = 0; c < width; c++)
            {
                int id = (int)flatIds[r * width + c];
                bool special = id == tokenizer.ClsId || id == tokenizer.SepId || id == tokenizer.PadId;
                if (flatMask[r * width + c] != 0 && !special) tokens.Add(id);
            }

            texts.Add(tokenizer.Decode(tokens));
        }

        return texts;
    }
}
