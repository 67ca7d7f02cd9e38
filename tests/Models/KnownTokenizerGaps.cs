using System.Text;

namespace StTrain.Tests.Models;

/// <summary>
/// Where the production tokenizer (Microsoft.ML.Tokenizers 3.0.0 BertTokenizer) is known to differ from Hugging Face
/// tokenizers, found with the golden ids: it drops the ASCII symbols $ + &lt; = &gt; ^ ` | ~ and Unicode symbols
/// (°, €, ², emoji) instead of keeping them as tokens, keeps "_" inside words, deletes tab / newline instead of
/// treating them as spaces (gluing the words around them), handles zero-width / soft-hyphen characters and Hangul
/// differently, and, because Directory.Build.props sets InvariantGlobalization=true, cannot strip accents (string
/// normalisation is a no-op there), so "café" becomes [UNK] instead of "cafe".
/// </summary>
public static class KnownTokenizerGaps
{
    public const string Reason =
        "Known tokenizer gaps vs Hugging Face (symbols dropped, tab/newline deleted, no accent stripping under " +
        "InvariantGlobalization); see KnownTokenizerGaps.";

    private const string AsciiSymbols = "$+<=>^`|~_";

    /// <summary>
    /// True when <paramref name="text"/> holds a character in a gap class: one of the ASCII symbols, a control
    /// character (tab, newline, ...), or anything non-ASCII other than a CJK ideograph.
    /// </summary>
    public static bool Affects(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            int cp = rune.Value;
            if (cp < 0x80)
            {
                if (cp < 0x20 || cp == 0x7F || AsciiSymbols.Contains((char)cp)) return true;
            }
            else if (cp is not (>= 0x4E00 and <= 0x9FFF)) return true;
        }
        return false;
    }
}
