using System.Text.RegularExpressions;

namespace StTrain.Skill.References;

/// <summary>
/// Matches a failed run's error and log against troubleshooting.md. Each "## " entry may carry a line
/// "Log patterns: `regex`, `regex`"; the entry with the most matching patterns wins, the earlier entry on a tie.
/// </summary>
public sealed partial class TroubleshootingIndex
{
    /// <summary>The reference the index is built from.</summary>
    public const string ReferenceName = "troubleshooting";

    private TroubleshootingIndex(IReadOnlyList<TroubleshootingEntry> entries) => Entries = entries;

    /// <summary>The entries, in file order.</summary>
    public IReadOnlyList<TroubleshootingEntry> Entries { get; }

    [GeneratedRegex(@"^Log patterns:(?<list>.*)$", RegexOptions.Multiline)]
    private static partial Regex PatternLine();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();

    /// <summary>Parses the markdown of troubleshooting.md.</summary>
    public static TroubleshootingIndex Parse(string markdown)
    {
        var entries = new List<TroubleshootingEntry>();
        foreach (var section in MarkdownSections.SplitAt(markdown, 2))
        {
            if (!section.StartsWith("## ", StringComparison.Ordinal))
            {
                continue;
            }

            var parts = section.Split('\n', 2);
            var body = parts.Length > 1 ? parts[1].Trim() : "";
            var patterns = PatternLine().Matches(body)
                .SelectMany(line => Backticked().Matches(line.Groups["list"].Value).Select(m => m.Groups[1].Value))
                .ToList();
            entries.Add(new TroubleshootingEntry(parts[0][3..].Trim(), body, patterns));
        }

        return new TroubleshootingIndex(entries);
    }

    /// <summary>Loads and parses troubleshooting.md through the library.</summary>
    public static TroubleshootingIndex Load(ReferenceLibrary library) =>
        Parse(string.Concat(library.Load(ReferenceName).Pages));

    /// <summary>The best-matching entry for the text of a failure, or null when no pattern matches.</summary>
    public TroubleshootingEntry? Match(string failureText)
    {
        TroubleshootingEntry? best = null;
        var bestHits = 0;
        foreach (var entry in Entries)
        {
            var hits = entry.Patterns.Count(pattern => Matches(pattern, failureText));
            if (hits > bestHits)
            {
                best = entry;
                bestHits = hits;
            }
        }

        return best;
    }

    private static bool Matches(string pattern, string text)
    {
        try
        {
            return Regex.IsMatch(text, pattern, RegexOptions.IgnoreCase, TimeSpan.FromMilliseconds(200));
        }
        catch (ArgumentException)
        {
            // A pattern that is not a valid regex still works as plain text.
            return text.Contains(pattern, StringComparison.OrdinalIgnoreCase);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
