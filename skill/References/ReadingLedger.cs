namespace StTrain.Skill.References;

/// <summary>
/// What one client session has been shown. A file counts as read once every one of its pages was delivered; a
/// skim-only file (troubleshooting) counts once its headings were delivered. Thread-safe: a client may call tools
/// concurrently.
/// </summary>
public sealed class ReadingLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<int>> _pagesDelivered = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _pageCounts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _headingsDelivered = new(StringComparer.Ordinal);

    /// <summary>Records that 1-based page <paramref name="page"/> of <paramref name="pageCount"/> was shown.</summary>
    public void RecordPage(string name, int page, int pageCount)
    {
        lock (_gate)
        {
            if (!_pagesDelivered.TryGetValue(name, out var pages))
            {
                pages = [];
                _pagesDelivered[name] = pages;
            }

            // A file that was edited into a different page count starts over: old page numbers mean other text.
            if (_pageCounts.TryGetValue(name, out var known) && known != pageCount)
            {
                pages.Clear();
            }

            _pageCounts[name] = pageCount;
            pages.Add(page);
        }
    }

    /// <summary>Records that the full list of a file's headings was delivered.</summary>
    public void RecordHeadings(string name)
    {
        lock (_gate)
        {
            _headingsDelivered.Add(name);
        }
    }

    /// <summary>The 1-based pages of a file delivered so far.</summary>
    public IReadOnlyList<int> PagesDelivered(string name)
    {
        lock (_gate)
        {
            return _pagesDelivered.TryGetValue(name, out var pages) ? pages.Order().ToList() : [];
        }
    }

    /// <summary>Whether the headings of a file were delivered.</summary>
    public bool HeadingsDelivered(string name)
    {
        lock (_gate)
        {
            return _headingsDelivered.Contains(name);
        }
    }

    /// <summary>Whether every page 1..<paramref name="pageCount"/> of a file was delivered.</summary>
    public bool AllPagesDelivered(string name, int pageCount)
    {
        lock (_gate)
        {
            return _pagesDelivered.TryGetValue(name, out var pages)
                && Enumerable.Range(1, pageCount).All(pages.Contains);
        }
    }
}
