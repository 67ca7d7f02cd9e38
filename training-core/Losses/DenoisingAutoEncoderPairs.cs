using System.Text;
using System.Text.RegularExpressions;
using StTrain.Core.Data;

namespace StTrain.Core.Losses;

/// <summary>
/// Builds DenoisingAutoEncoderLoss (TSDAE) rows (damaged, original) from plain sentences with deletion noise, as
/// sentence-transformers' DenoisingAutoEncoderDataset does: each word is deleted with probability del_ratio
/// (default 0.6), keeping at least one word.
/// </summary>
/// <remarks>
/// Words are split and re-joined by a small rule set, not NLTK's Treebank tokenizer: a word is a run of letters or
/// digits (with inner hyphens or apostrophes), every other non-space character is a word of its own; re-joining puts
/// no space before closing punctuation or after opening brackets. The deletion draws come from a seeded generator.
/// </remarks>
public static partial class DenoisingAutoEncoderPairs
{
    [GeneratedRegex(@"\w+(?:[-'’]\w+)*|[^\w\s]")]
    private static partial Regex WordPattern();

    public static IReadOnlyList<(string Damaged, string Original)> Build(
        IReadOnlyList<string> sentences, double delRatio = 0.6, long seed = 42)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var random = new DeterministicRandom(seed);
        return sentences.Select(s => (Delete(s, delRatio, random), s)).ToList();
    }

    /// <summary>The sentence with each word deleted with probability <paramref name="delRatio"/>.</summary>
    public static string Delete(string text, double delRatio, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(delRatio >= 0 && delRatio < 1))
        {
            throw new ArgumentException($"DenoisingAutoEncoderPairs: del_ratio must be in [0, 1); got {delRatio}. " +
                                        "Fix: use 0.6, the TSDAE default.");
        }

        string[] words = WordPattern().Matches(text ?? string.Empty).Select(m => m.Value).ToArray();
        if (words.Length == 0) return text ?? string.Empty;
        bool[] keep = words.Select(_ => random.NextDouble() > delRatio).ToArray();
        if (!keep.Any(k => k)) keep[random.NextInt(words.Length)] = true;
        return Join(words.Where((_, i) => keep[i]));
    }

    private static string Join(IEnumerable<string> words)
    {
        var text = new StringBuilder();
        string? previous = null;
        foreach (string word in words)
        {
            bool closing = word.Length == 1 && ".,!?;:%)]}".Contains(word[0], StringComparison.Ordinal);
            bool afterOpening = previous is { Length: 1 } && "([{".Contains(previous[0], StringComparison.Ordinal);
            if (text.Length > 0 && !closing && !afterOpening) text.Append(' ');
            text.Append(word);
            previous = word;
        }

        return text.ToString();
    }
}
