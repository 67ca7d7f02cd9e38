using System.Diagnostics;
using StTrain.Core.Models.Tokenization;
using Xunit;
using Xunit.Abstractions;

namespace StTrain.Tests.Models;

/// <summary>
/// Throughput of the product tokenizer on 10,000 short texts (the golden texts under 200 characters, cycled, each
/// made unique by a counter). The bound is loose on purpose (the machine is shared); the printed time is the figure
/// to compare across changes, next to the library's own BertTokenizer (what the product used before).
/// </summary>
public sealed class WordPieceTokenizerSpeedTests(ITestOutputHelper output)
{
    [Fact]
    public void TokenizesTenThousandShortTextsQuickly()
    {
        var vocabulary = System.Text.Encoding.UTF8.GetString(BundledPackage.MiniLM.ReadResource("vocab.txt"))
            .Replace("\r\n", "\n").TrimEnd('\n').Split('\n');
        var tokenizer = WordPieceTokenizer.FromVocabulary(vocabulary);
        var shortTexts = HuggingFaceTokenIds.Texts.Where(t => t.Length is > 0 and < 200).ToArray();
        var texts = Enumerable.Range(0, 10_000).Select(i => $"{shortTexts[i % shortTexts.Length]} #{i}").ToArray();

        // Microsoft.ML.Tokenizers' own BERT pipeline, as the product used it before (not Hugging Face-exact), as the
        // baseline measured under the same machine load.
        using var vocabStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', vocabulary)));
        var library = Microsoft.ML.Tokenizers.BertTokenizer.Create(vocabStream, new Microsoft.ML.Tokenizers.BertOptions
        {
            LowerCaseBeforeTokenization = true, RemoveNonSpacingMarks = true, ApplyBasicTokenization = true,
        });

        long pieces = 0;
        var ours = Fastest(() => pieces = texts.Sum(t => (long)tokenizer.TokenIds(t).Count));
        var baseline = Fastest(() => texts.Sum(t => (long)library.EncodeToIds(t, addSpecialTokens: false).Count));
        var batched = Fastest(() =>
        {
            for (int start = 0; start < texts.Length; start += 32)
            {
                using var features = tokenizer.Encode(texts[start..Math.Min(start + 32, texts.Length)], 256);
            }
            return 0;
        });

        output.WriteLine($"TokenIds: {texts.Length} texts ({pieces} word pieces) in {ours.TotalMilliseconds:F0} ms " +
                         $"({ours.TotalMicroseconds / texts.Length:F1} us/text, fastest of 10); library " +
                         $"BertTokenizer {baseline.TotalMilliseconds:F0} ms; Encode in batches of 32: " +
                         $"{batched.TotalMilliseconds:F0} ms");
        Assert.True(pieces > texts.Length * 5);
        Assert.True(ours < TimeSpan.FromSeconds(5), $"tokenizing took {ours}");
    }

    /// <summary>Fastest of a warm-up and ten timed runs: the least disturbed by other work on the machine.</summary>
    private static TimeSpan Fastest(Func<long> run)
    {
        run();
        var best = TimeSpan.MaxValue;
        for (int round = 0; round < 10; round++)
        {
            var clock = Stopwatch.StartNew();
            run();
            best = clock.Elapsed < best ? clock.Elapsed : best;
        }
        return best;
    }
}
