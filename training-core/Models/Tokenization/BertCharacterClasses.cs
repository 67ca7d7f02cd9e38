using System.Globalization;
using System.Text;

namespace StTrain.Core.Models.Tokenization;

/// <summary>
/// The character classes of Hugging Face's BERT normalizer and pre-tokenizer (the Rust tokenizers library that
/// BertTokenizerFast and sentence-transformers use), by Unicode code point. Categories come from .NET's Unicode
/// tables; the Rust side reads older tables, so characters assigned in recent Unicode versions may differ.
/// </summary>
internal static class BertCharacterClasses
{
    /// <summary>
    /// The White_Space property (Rust char::is_whitespace): U+0009..U+000D, space, U+0085 and the Zs / Zl / Zp
    /// separators (no-break space, ideographic space, U+2028, ...).
    /// </summary>
    public static bool IsWhitespace(int codePoint) =>
        codePoint < 0x80
            ? codePoint is >= 0x09 and <= 0x0D or 0x20
            : codePoint == 0x85 || CharUnicodeInfo.GetUnicodeCategory(codePoint)
                is UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator;

    /// <summary>
    /// What clean_text deletes besides NUL and U+FFFD: control (Cc), format (Cf) and private-use (Co) characters,
    /// except tab, line feed and carriage return, which count as whitespace. Unassigned code points (Cn) stay.
    /// </summary>
    public static bool IsControl(int codePoint) =>
        codePoint < 0x80
            ? codePoint is < 0x09 or 0x0B or 0x0C or > 0x0D and < 0x20 or 0x7F
            : CharUnicodeInfo.GetUnicodeCategory(codePoint)
                is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.PrivateUse;

    /// <summary>
    /// The CJK ideograph blocks that handle_chinese_chars isolates. The Rust library starts the Extension E range at
    /// U+2B920 where Python's BertTokenizer starts it at U+2B820; the Rust bound is used (BertTokenizerFast).
    /// </summary>
    public static bool IsChineseChar(int codePoint) =>
        codePoint is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF
            or >= 0x2A700 and <= 0x2B73F or >= 0x2B740 and <= 0x2B81F or >= 0x2B920 and <= 0x2CEAF
            or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;

    /// <summary>
    /// BERT punctuation: every ASCII character in 33-47, 58-64, 91-96, 123-126 (so $ + &lt; = &gt; ^ ` | ~ too, which
    /// Unicode calls symbols) plus the Unicode punctuation categories P*. Other symbols (°, €, emoji) are not.
    /// </summary>
    public static bool IsPunctuation(int codePoint) =>
        codePoint < 0x80
            ? codePoint is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126
            : CharUnicodeInfo.GetUnicodeCategory(codePoint)
                is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
                or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation
                or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
                or UnicodeCategory.OtherPunctuation;

    /// <summary>Non-spacing marks (Mn), which strip_accents deletes after canonical decomposition.</summary>
    public static bool IsNonSpacingMark(int codePoint) =>
        codePoint >= 0x300 && CharUnicodeInfo.GetUnicodeCategory(codePoint) == UnicodeCategory.NonSpacingMark;

    /// <summary>The code point at <paramref name="index"/>; a lone surrogate reads as U+FFFD.</summary>
    public static int CodePointAt(ReadOnlySpan<char> text, int index, out int length)
    {
        char c = text[index];
        if (!char.IsSurrogate(c))
        {
            length = 1;
            return c;
        }
        Rune.DecodeFromUtf16(text[index..], out Rune rune, out length);
        return rune.Value;
    }
}
