using System.Text;

namespace StTrain.Skill.References;

/// <summary>
/// Cuts a reference into pages of at most a given size, on heading boundaries where it can: whole "## " sections
/// are packed into a page while they fit; a section too big for one page is cut at "### " headings, then at blank
/// lines, then at line ends, and only a single line longer than a page is cut mid-line.
/// </summary>
public static class ReferencePaginator
{
    /// <summary>The page size the server uses: about 12k characters, a comfortable single tool result.</summary>
    public const int DefaultPageSize = 12_000;

    /// <summary>The pages; concatenated they give the text back exactly. An empty text is one empty page.</summary>
    public static IReadOnlyList<string> Paginate(string text, int pageSize = DefaultPageSize)
    {
        if (pageSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, "A page holds at least one character.");
        }

        var pieces = Pieces(text, pageSize, 0);
        var pages = new List<string>();
        var page = new StringBuilder();
        foreach (var piece in pieces)
        {
            if (page.Length > 0 && page.Length + piece.Length > pageSize)
            {
                pages.Add(page.ToString());
                page.Clear();
            }

            page.Append(piece);
        }

        pages.Add(page.ToString());
        return pages;
    }

    // Splits text into pieces no longer than pageSize, preferring the coarsest boundary that works.
    private static List<string> Pieces(string text, int pageSize, int depth)
    {
        if (text.Length <= pageSize)
        {
            return [text];
        }

        IReadOnlyList<string> parts = depth switch
        {
            0 => MarkdownSections.SplitAt(text, 2),
            1 => MarkdownSections.SplitAt(text, 3),
            2 => SplitKeepingSeparator(text, "\n\n"),
            3 => SplitKeepingSeparator(text, "\n"),
            _ => Chunk(text, pageSize),
        };

        if (parts.Count <= 1 && depth < 4)
        {
            return Pieces(text, pageSize, depth + 1);
        }

        return parts.SelectMany(part => Pieces(part, pageSize, depth + 1)).ToList();
    }

    private static List<string> SplitKeepingSeparator(string text, string separator)
    {
        var parts = new List<string>();
        var start = 0;
        int found;
        while ((found = text.IndexOf(separator, start, StringComparison.Ordinal)) >= 0)
        {
            parts.Add(text[start..(found + separator.Length)]);
            start = found + separator.Length;
        }

        if (start < text.Length)
        {
            parts.Add(text[start..]);
        }

        return parts;
    }

    private static List<string> Chunk(string text, int size)
    {
        var parts = new List<string>();
        for (var start = 0; start < text.Length; start += size)
        {
            parts.Add(text.Substring(start, Math.Min(size, text.Length - start)));
        }

        return parts;
    }
}
