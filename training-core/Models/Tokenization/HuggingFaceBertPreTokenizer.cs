using Microsoft.ML.Tokenizers;
using static StTrain.Core.Models.Tokenization.BertCharacterClasses;

namespace StTrain.Core.Models.Tokenization;

/// <summary>
/// Hugging Face's BertPreTokenizer as a Microsoft.ML.Tokenizers <see cref="PreTokenizer"/>: split on whitespace
/// (dropped), then isolate every punctuation character (ASCII 33-47, 58-64, 91-96, 123-126 and Unicode P*), so
/// "a_b" gives "a", "_", "b" and "$5" gives "$", "5". A stretch fenced by
/// <see cref="HuggingFaceBertNormalizer.Fence"/> (a special token or the unknown token) is one split, without its
/// fences. Offsets are in UTF-16 units of the normalised text.
/// </summary>
public sealed class HuggingFaceBertPreTokenizer : PreTokenizer
{
    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) => PreTokenize(text.AsSpan());

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text)
    {
        var splits = new List<(int Offset, int Length)>(text.Length / 4 + 1);
        int wordStart = -1;
        for (int i = 0; i < text.Length;)
        {
            if (text[i] == HuggingFaceBertNormalizer.Fence)
            {
                EndWord(i);
                int length = text[(i + 1)..].IndexOf(HuggingFaceBertNormalizer.Fence);
                if (length < 0)
                {
                    i++; // an unpaired fence separates words and is dropped
                    continue;
                }
                if (length > 0) splits.Add((i + 1, length));
                i += length + 2;
                continue;
            }
            int cp = CodePointAt(text, i, out int units);
            if (IsWhitespace(cp))
            {
                EndWord(i);
            }
            else if (IsPunctuation(cp))
            {
                EndWord(i);
                splits.Add((i, units));
            }
            else if (wordStart < 0)
            {
                wordStart = i;
            }
            i += units;
        }
        EndWord(text.Length);
        return splits;

        void EndWord(int end)
        {
            if (wordStart < 0) return;
            splits.Add((wordStart, end - wordStart));
            wordStart = -1;
        }
    }
}
