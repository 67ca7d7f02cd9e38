using System.Text.Json.Nodes;
using StTrain.Core.Models;
using StTrain.Core.Models.Tokenization;
using Xunit;

namespace StTrain.Tests.Models;

/// <summary>
/// The product tokenizer on the bundled uncased BERT vocabulary, against expectations written out by hand from
/// Hugging Face's BERT rules (lower-casing, accent stripping, punctuation as BERT defines it, CJK splitting, symbols
/// kept in words, greedy longest-match WordPiece, the 100-character word limit, truncation with [CLS] / [SEP] kept).
/// Golden ids from Hugging Face itself are checked in SentenceTransformerParityTests and HuggingFaceEdgeCaseTests.
/// </summary>
public sealed class WordPieceTokenizerTests
{
    private static readonly Lazy<string[]> Vocabulary = new(() =>
        System.Text.Encoding.UTF8.GetString(BundledPackage.MiniLM.ReadResource("vocab.txt"))
            .Replace("\r\n", "\n").TrimEnd('\n').Split('\n'));

    private static readonly Lazy<WordPieceTokenizer> Tokenizer =
        new(() => WordPieceTokenizer.FromVocabulary(Vocabulary.Value));

    private static string[] Tokens(string text, int maxLength = 256)
    {
        using var features = Tokenizer.Value.Encode([text], maxLength);
        return features[Features.InputIds][0].data<long>().ToArray().Select(id => Vocabulary.Value[id]).ToArray();
    }

    [Theory]
    [InlineData("Hello, World!", new[] { "hello", ",", "world", "!" })]
    [InlineData("don't STOP", new[] { "don", "'", "t", "stop" })]
    [InlineData("e=mc2;", new[] { "e", "=", "mc", "##2", ";" })]
    [InlineData("$5 + a_b|c~d", new[] { "$", "5", "+", "a", "_", "b", "|", "c", "~", "d" })]
    [InlineData("x<y>z^`w`", new[] { "x", "<", "y", ">", "z", "^", "`", "w", "`" })]
    [InlineData("tab\there\u0007!", new[] { "tab", "here", "!" })]
    [InlineData("new\nline\r\nend", new[] { "new", "line", "end" })]
    [InlineData("no\u00a0break\u2028line", new[] { "no", "break", "line" })]
    [InlineData("zero\u200bwidth", new[] { "zero", "##wi", "##dt", "##h" })]
    [InlineData("¿Qué? «sí»", new[] { "¿", "que", "?", "«", "si", "»" })]
    public void TokenizesLikeBertUncased(string text, string[] pieces)
    {
        Assert.Equal(["[CLS]", .. pieces, "[SEP]"], Tokens(text));
    }

    [Theory]
    [InlineData("unaffable")]
    [InlineData("supercalifragilisticexpialidocious")]
    [InlineData("tokenization")]
    [InlineData("huggingface")]
    [InlineData("antidisestablishmentarianism")]
    public void SplitsWordsByGreedyLongestMatch(string word)
    {
        Assert.Equal(["[CLS]", .. GreedyWordPiece(word), "[SEP]"], Tokens(word));
    }

    [Fact]
    public void StripsAccentsLikeBertUncased()
    {
        Assert.Equal(["[CLS]", "cafe", "cr", "##eme", "[SEP]"], Tokens("Café CRÈME"));
        // Decomposed input (e + combining acute) and the Ångström sign (U+212B -> A + ring) end up the same way.
        Assert.Equal(Tokens("cafe"), Tokens("cafe\u0301"));
        Assert.Equal(Tokens("a"), Tokens("\u212b"));
    }

    [Fact]
    public void SplitsCjkIntoCharacters()
    {
        const string text = "我喜欢猫";
        var expected = text.Select(c => Vocabulary.Value.Contains(c.ToString()) ? c.ToString() : "[UNK]");
        Assert.Equal(["[CLS]", .. expected, "[SEP]"], Tokens(text));
    }

    [Fact]
    public void KeepsSymbolsInsideWords()
    {
        // °, ², € and emoji are symbols, not punctuation: they stay in the word and go through WordPiece.
        Assert.Equal(
            ["[CLS]", .. GreedyWordPiece("5°c"), .. GreedyWordPiece("x²"), .. GreedyWordPiece("€100"),
             .. GreedyWordPiece("😀"), "[SEP]"],
            Tokens("5°C x² €100 😀"));
        Assert.Contains("[UNK]", Tokens("😀"));
    }

    [Fact]
    public void KeepsSpecialTokensWrittenInTheText()
    {
        // Matched case-sensitively in the raw text; a lower-case look-alike is ordinary punctuation and letters.
        Assert.Equal(["[CLS]", "hello", "[SEP]", "world", "[SEP]"], Tokens("hello[SEP]world"));
        Assert.Equal(["[CLS]", "[", "sep", "]", "[SEP]"], Tokens("[sep]"));
        Assert.Equal(["[CLS]", "[MASK]", "[UNK]", "[SEP]"], Tokens("[MASK] [UNK]"));
    }

    [Fact]
    public void WordsLongerThan100CharactersBecomeUnknown()
    {
        Assert.Equal(["[CLS]", "[UNK]", "[SEP]"], Tokens(new string('a', 101)));
        Assert.Equal(["[CLS]", .. GreedyWordPiece(new string('a', 100)), "[SEP]"], Tokens(new string('a', 100)));
        // The limit applies per word after punctuation splitting, and counts code points after accent stripping.
        Assert.Equal(["[CLS]", .. GreedyWordPiece(new string('a', 100)), "!", "[SEP]"],
            Tokens(new string('a', 100) + "!"));
        Assert.Equal(["[CLS]", .. GreedyWordPiece(new string('e', 60)), "[SEP]"],
            Tokens(string.Concat(Enumerable.Repeat("e\u0301", 60))));
    }

    [Fact]
    public void TruncatesToMaxSeqLengthKeepingSpecialTokens()
    {
        var tokens = Tokens(string.Join(" ", Enumerable.Repeat("hello", 1000)));
        Assert.Equal(256, tokens.Length);
        Assert.Equal("[CLS]", tokens[0]);
        Assert.Equal("[SEP]", tokens[^1]);
        Assert.All(tokens[1..^1], t => Assert.Equal("hello", t));
    }

    [Fact]
    public void CasedTokenizerKeepsCaseAndAccents()
    {
        var cased = WordPieceTokenizer.FromVocabulary(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Café", "café"],
            lowerCase: false);
        Assert.Equal([5, 1, 6], cased.TokenIds("Café cafe café"));
    }

    [Fact]
    public void EncodesPairsWithTokenTypes()
    {
        using var features = Tokenizer.Value.EncodePairs([("Hello there", "General Kenobi")], 64);
        long[] ids = features[Features.InputIds][0].data<long>().ToArray();
        long[] types = features[Features.TokenTypeIds][0].data<long>().ToArray();
        Assert.Equal(["[CLS]", "hello", "there", "[SEP]", .. GreedyWordPiece("general"), .. GreedyWordPiece("kenobi"),
                      "[SEP]"], ids.Select(id => Vocabulary.Value[id]));
        int second = Array.IndexOf(ids, (long)Tokenizer.Value.SepId) + 1;
        Assert.All(types[..second], t => Assert.Equal(0, t));
        Assert.All(types[second..], t => Assert.Equal(1, t));
    }

    [Fact]
    public void RunsThroughMicrosoftMlTokenizersWithTheHuggingFaceSteps()
    {
        // The steps are library Normalizer / PreTokenizer subclasses; their output is what WordPiece sees.
        var normalizer = new HuggingFaceBertNormalizer(lowerCase: true, stripAccents: true, handleChineseChars: true,
            unknownToken: "[UNK]", specialTokens: ["[SEP]"]);
        string normalized = normalizer.Normalize("Ça\tva?[SEP]猫" + new string('x', 101));
        Assert.Equal("ca va?\0[SEP]\0 猫 \0[UNK]\0", normalized);
        var splits = new HuggingFaceBertPreTokenizer().PreTokenize(normalized)
            .Select(s => normalized.Substring(s.Offset, s.Length));
        Assert.Equal(["ca", "va", "?", "[SEP]", "猫", "[UNK]"], splits);
        Assert.IsAssignableFrom<Microsoft.ML.Tokenizers.Normalizer>(normalizer);
    }

    [Fact]
    public void LoadsTokenizerJsonOnlyFolders()
    {
        string folder = Directory.CreateTempSubdirectory("st-train-tokenizer-json-").FullName;
        try
        {
            var vocab = new JsonObject();
            string[] tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Hello", "hello", "##s", "!"];
            for (int i = 0; i < tokens.Length; i++) vocab[tokens[i]] = i;
            var json = new JsonObject
            {
                ["normalizer"] = new JsonObject
                {
                    ["type"] = "BertNormalizer", ["lowercase"] = false, ["strip_accents"] = null,
                    ["clean_text"] = true, ["handle_chinese_chars"] = true,
                },
                ["model"] = new JsonObject
                {
                    ["type"] = "WordPiece", ["unk_token"] = "[UNK]", ["continuing_subword_prefix"] = "##",
                    ["max_input_chars_per_word"] = 6, ["vocab"] = vocab,
                },
            };
            File.WriteAllText(Path.Combine(folder, "tokenizer.json"), json.ToJsonString());
            var tokenizer = WordPieceTokenizer.Load(folder);
            Assert.False(tokenizer.LowerCase);
            // Cased, and "Hellos!" is split to 6 characters + "!", within the limit; "Helloss" is 7.
            Assert.Equal([5, 7, 8, 6, 1], tokenizer.TokenIds("Hellos! hello Helloss"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>WordPiece by definition: repeatedly take the longest vocabulary prefix ("##" continuations).</summary>
    private static List<string> GreedyWordPiece(string word)
    {
        var vocabulary = Vocabulary.Value.ToHashSet();
        var pieces = new List<string>();
        int start = 0;
        while (start < word.Length)
        {
            string? match = null;
            for (int end = word.Length; end > start && match is null; end--)
            {
                string piece = (start > 0 ? "##" : "") + word[start..end];
                if (vocabulary.Contains(piece)) (match, start) = (piece, end);
            }
            if (match is null) return ["[UNK]"];
            pieces.Add(match);
        }
        return pieces;
    }
}
