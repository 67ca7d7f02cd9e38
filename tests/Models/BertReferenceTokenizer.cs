using System.Globalization;
using System.Text;

namespace StTrain.Tests.Models;

/// <summary>
/// Hugging Face's uncased BERT tokenization written from its definition, as an independent reference:
/// clean (drop NUL, U+FFFD and control characters; whitespace becomes a space), put spaces around CJK ideographs,
/// split on whitespace, strip accents (NFD, drop non-spacing marks) then lower-case (the order of the Rust
/// BertNormalizer, which matters for e.g. "İ"), split off every punctuation
/// character (ASCII 33-47, 58-64, 91-96, 123-126 and Unicode P*), then greedy longest-match WordPiece with "##"
/// continuations, words over 100 characters or with no full split becoming [UNK].
/// Accent stripping relies on string.Normalize, which is a no-op for non-ASCII text under InvariantGlobalization.
/// </summary>
public sealed class BertReferenceTokenizer
{
    private const int MaxCharsPerWord = 100;
    private readonly Dictionary<string, int> ids = new(StringComparer.Ordinal);

    public BertReferenceTokenizer(IEnumerable<string> vocabulary)
    {
        int index = 0;
        foreach (string token in vocabulary) ids.TryAdd(token, index++);
        ClsId = ids["[CLS]"];
        SepId = ids["[SEP]"];
        UnkId = ids["[UNK]"];
    }

    public int ClsId { get; }
    public int SepId { get; }
    public int UnkId { get; }

    /// <summary>Word-piece ids without [CLS] / [SEP].</summary>
    public List<int> Pieces(string text)
    {
        var result = new List<int>();
        foreach (string word in BasicTokens(text)) result.AddRange(WordPiece(word));
        return result;
    }

    public static List<string> BasicTokens(string text)
    {
        var spaced = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            int cp = rune.Value;
            if (cp == 0 || cp == 0xFFFD) continue;
            if (cp is '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(rune) == UnicodeCategory.SpaceSeparator)
            {
                spaced.Append(' ');
                continue;
            }
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format) continue;
            if (IsCjk(cp)) spaced.Append(' ').Append(rune.ToString()).Append(' ');
            else spaced.Append(rune.ToString());
        }

        var tokens = new List<string>();
        foreach (string raw in spaced.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string word = StripAccents(raw).ToLowerInvariant();
            var current = new StringBuilder();
            foreach (var rune in word.EnumerateRunes())
            {
                if (IsPunctuation(rune))
                {
                    if (current.Length > 0) tokens.Add(current.ToString());
                    current.Clear();
                    tokens.Add(rune.ToString());
                }
                else current.Append(rune.ToString());
            }
            if (current.Length > 0) tokens.Add(current.ToString());
        }
        return tokens;
    }

    private IEnumerable<int> WordPiece(string word)
    {
        var runes = word.EnumerateRunes().Select(r => r.ToString()).ToArray();
        if (runes.Length > MaxCharsPerWord) return [UnkId];
        var pieces = new List<int>();
        int start = 0;
        while (start < runes.Length)
        {
            int? match = null;
            int end = runes.Length;
            for (; end > start; end--)
            {
                string piece = (start > 0 ? "##" : "") + string.Concat(runes[start..end]);
                if (ids.TryGetValue(piece, out int id))
                {
                    match = id;
                    break;
                }
            }
            if (match is null) return [UnkId];
            pieces.Add(match.Value);
            start = end;
        }
        return pieces;
    }

    private static string StripAccents(string text)
    {
        var kept = new StringBuilder();
        foreach (char c in text.Normalize(NormalizationForm.FormD))
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) kept.Append(c);
        return kept.ToString();
    }

    private static bool IsPunctuation(Rune rune)
    {
        int cp = rune.Value;
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126) return true;
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation
            or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
            or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    private static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF
            or >= 0x2A700 and <= 0x2B73F or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF
            or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
