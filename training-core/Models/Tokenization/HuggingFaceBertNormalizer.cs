using System.Buffers;
using System.Text;
using Microsoft.ML.Tokenizers;
using static StTrain.Core.Models.Tokenization.BertCharacterClasses;

namespace StTrain.Core.Models.Tokenization;

/// <summary>
/// Hugging Face's BERT normalisation as a Microsoft.ML.Tokenizers <see cref="Normalizer"/>, in the order of the Rust
/// BertNormalizer: clean_text (delete NUL, U+FFFD and control / format / private-use characters; every whitespace
/// character, tab and newline included, becomes a space), handle_chinese_chars (spaces around CJK ideographs),
/// strip_accents (canonical decomposition NFD, then delete non-spacing marks), lowercase (full Unicode mapping, so
/// "İ" becomes "i̇" when accents are kept).
/// Two steps that Hugging Face does outside its normaliser happen here too, because the library only lets the
/// normaliser rewrite text: special tokens ([CLS], [SEP], ...) are found in the raw text, case-sensitively and
/// leftmost-longest, and copied through untouched; words longer than <see cref="MaxInputCharsPerWord"/> code points
/// become the unknown token (Hugging Face's WordPiece rule, which counts code points where the library counts UTF-16
/// units). Both are fenced by U+0000 so that <see cref="HuggingFaceBertPreTokenizer"/> keeps them whole; clean_text
/// deletes every NUL of the input, so a fence can only come from here.
/// </summary>
public sealed class HuggingFaceBertNormalizer : Normalizer
{
    /// <summary>Marks both ends of a token that must reach WordPiece whole.</summary>
    public const char Fence = '\0';

    private readonly string[] specialTokens;
    private readonly SearchValues<char>? specialTokenStarts;

    /// <param name="lowerCase">do_lower_case / lowercase.</param>
    /// <param name="stripAccents">strip_accents; Hugging Face's default when unset is the value of lowercase.</param>
    /// <param name="handleChineseChars">tokenize_chinese_chars / handle_chinese_chars.</param>
    /// <param name="unknownToken">What an over-long word becomes.</param>
    /// <param name="maxInputCharsPerWord">max_input_chars_per_word of the WordPiece model (100 for BERT).</param>
    /// <param name="specialTokens">Tokens matched in the raw text before normalisation ([CLS], [SEP], ...).</param>
    public HuggingFaceBertNormalizer(bool lowerCase, bool stripAccents, bool handleChineseChars, string unknownToken,
        int maxInputCharsPerWord = 100, IEnumerable<string>? specialTokens = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInputCharsPerWord, 1);
        if (stripAccents) EnsureCanonicalDecomposition();
        LowerCase = lowerCase;
        StripAccents = stripAccents;
        HandleChineseChars = handleChineseChars;
        UnknownToken = unknownToken;
        MaxInputCharsPerWord = maxInputCharsPerWord;
        // Longest first, so that the first match at a position is the longest one.
        this.specialTokens = (specialTokens ?? []).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal)
            .OrderByDescending(t => t.Length).ThenBy(t => t, StringComparer.Ordinal).ToArray();
        if (this.specialTokens.Length > 0)
            specialTokenStarts = SearchValues.Create(this.specialTokens.Select(t => t[0]).Distinct().ToArray());
    }

    public bool LowerCase { get; }
    public bool StripAccents { get; }
    public bool HandleChineseChars { get; }
    public string UnknownToken { get; }
    public int MaxInputCharsPerWord { get; }
    public IReadOnlyList<string> SpecialTokens => specialTokens;

    public override string Normalize(string original) => Normalize(original.AsSpan());

    public override string Normalize(ReadOnlySpan<char> original)
    {
        var output = new StringBuilder(original.Length + 16);
        int position = 0;
        while (position < original.Length)
        {
            (int start, string? token) = NextSpecialToken(original, position);
            NormalizeSegment(original[position..start], output);
            if (token is null) break;
            output.Append(Fence).Append(token).Append(Fence);
            position = start + token.Length;
        }
        return output.ToString();
    }

    private (int Start, string? Token) NextSpecialToken(ReadOnlySpan<char> text, int from)
    {
        if (specialTokenStarts is null) return (text.Length, null);
        for (int at = from; at < text.Length; at++)
        {
            int hit = text[at..].IndexOfAny(specialTokenStarts);
            if (hit < 0) break;
            at += hit;
            foreach (string token in specialTokens)
                if (text[at..].StartsWith(token, StringComparison.Ordinal))
                    return (at, token);
        }
        return (text.Length, null);
    }

    private void NormalizeSegment(ReadOnlySpan<char> segment, StringBuilder output)
    {
        if (segment.IsEmpty) return;

        // clean_text and handle_chinese_chars; each UTF-16 unit becomes at most three (an ideograph and two spaces).
        char[] buffer = ArrayPool<char>.Shared.Rent(segment.Length * 3);
        int cleanedLength = 0;
        bool ascii = true;
        for (int i = 0; i < segment.Length;)
        {
            int cp = CodePointAt(segment, i, out int length);
            i += length;
            if (cp is 0 or 0xFFFD || IsControl(cp)) continue;
            if (IsWhitespace(cp))
            {
                buffer[cleanedLength++] = ' ';
                continue;
            }
            ascii &= cp < 0x80;
            bool isolate = HandleChineseChars && IsChineseChar(cp);
            if (isolate) buffer[cleanedLength++] = ' ';
            cleanedLength += new Rune(cp).EncodeToUtf16(buffer.AsSpan(cleanedLength));
            if (isolate) buffer[cleanedLength++] = ' ';
        }

        // strip_accents (ASCII text is its own decomposition), then lowercase, then the word-length rule.
        ReadOnlySpan<char> text = buffer.AsSpan(0, cleanedLength);
        if (StripAccents && !ascii) text = new string(text).Normalize(NormalizationForm.FormD);
        int wordStart = output.Length, wordChars = 0;
        for (int i = 0; i < text.Length;)
        {
            int cp = CodePointAt(text, i, out int length);
            i += length;
            if (StripAccents && IsNonSpacingMark(cp)) continue;
            if (!LowerCase)
            {
                Emit(cp);
            }
            else if (cp < 0x80)
            {
                Emit(cp is >= 'A' and <= 'Z' ? cp + 32 : cp);
            }
            else if (cp == 0x130)
            {
                // The one unconditional lowercase mapping to two code points (SpecialCasing.txt): İ -> i + U+0307.
                Emit('i');
                Emit(0x307);
            }
            else
            {
                Emit(Rune.ToLowerInvariant(new Rune(cp)).Value);
            }
        }
        EndWord();
        ArrayPool<char>.Shared.Return(buffer);

        void Emit(int cp)
        {
            if (IsWhitespace(cp) || IsPunctuation(cp))
            {
                EndWord();
            }
            else
            {
                if (wordChars == 0) wordStart = output.Length;
                wordChars++;
            }
            AppendCodePoint(output, cp);
        }

        void EndWord()
        {
            if (wordChars > MaxInputCharsPerWord)
            {
                output.Length = wordStart;
                output.Append(Fence).Append(UnknownToken).Append(Fence);
            }
            wordChars = 0;
        }
    }

    private static void AppendCodePoint(StringBuilder builder, int cp)
    {
        if (cp < 0x10000)
        {
            builder.Append((char)cp);
            return;
        }
        Span<char> pair = stackalloc char[2];
        new Rune(cp).EncodeToUtf16(pair);
        builder.Append(pair);
    }

    /// <summary>
    /// .NET decomposes text with ICU; in globalization-invariant mode string.Normalize silently returns its input,
    /// which would leave "café" unknown to an uncased vocabulary instead of "cafe". Refuse to run that way.
    /// </summary>
    private static void EnsureCanonicalDecomposition()
    {
        if ("\u00e9".Normalize(NormalizationForm.FormD).Length == 2) return;
        throw new InvalidOperationException(
            "This BERT tokenizer strips accents (strip_accents, on by default when do_lower_case is true), which " +
            "needs Unicode canonical decomposition (NFD). .NET takes it from ICU, but this process runs in " +
            "globalization-invariant mode (DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 or InvariantGlobalization=true), " +
            "where string.Normalize leaves text unchanged, so the token ids would differ from Hugging Face's. " +
            "Fix: install ICU (Debian/Ubuntu: apt-get install libicu72, or your distribution's libicu package) and " +
            "run without invariant mode.");
    }
}
