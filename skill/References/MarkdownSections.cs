namespace StTrain.Skill.References;

/// <summary>
/// Heading-aware helpers for the reference markdown. Lines inside ``` fences are never headings: the references
/// carry YAML snippets whose comments start with '#'.
/// </summary>
public static class MarkdownSections
{
    /// <summary>The "## " headings of a document, in order, without the marker.</summary>
    public static IReadOnlyList<string> Headings(string markdown, int level = 2)
    {
        var marker = new string('#', level) + " ";
        var headings = new List<string>();
        var inFence = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }

            if (!inFence && line.StartsWith(marker, StringComparison.Ordinal))
            {
                headings.Add(line[marker.Length..].Trim());
            }
        }

        return headings;
    }

    /// <summary>
    /// Splits a document into sections that each start at a heading of the given level (the text before the first
    /// such heading is its own section). Joining the sections gives the document back unchanged.
    /// </summary>
    public static IReadOnlyList<string> SplitAt(string markdown, int level)
    {
        var marker = new string('#', level) + " ";
        var sections = new List<string>();
        var current = new System.Text.StringBuilder();
        var inFence = false;
        var lines = markdown.Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }
            else if (!inFence && line.StartsWith(marker, StringComparison.Ordinal) && current.Length > 0)
            {
                sections.Add(current.ToString());
                current.Clear();
            }

            current.Append(line);
            if (index < lines.Length - 1)
            {
                current.Append('\n');
            }
        }

        if (current.Length > 0)
        {
            sections.Add(current.ToString());
        }

        return sections;
    }

    /// <summary>The body of the "## " section with this heading (heading line excluded), or null.</summary>
    public static string? Section(string markdown, string heading, int level = 2)
    {
        var marker = new string('#', level) + " ";
        foreach (var section in SplitAt(markdown, level))
        {
            var firstLine = section.Split('\n', 2)[0];
            if (firstLine.StartsWith(marker, StringComparison.Ordinal)
                && string.Equals(firstLine[marker.Length..].Trim(), heading, StringComparison.OrdinalIgnoreCase))
            {
                return section.Contains('\n') ? section.Split('\n', 2)[1] : "";
            }
        }

        return null;
    }
}
