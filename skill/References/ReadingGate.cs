using StTrain.Skill.Routing;

namespace StTrain.Skill.References;

/// <summary>Decides whether a session has done the reading a run needs, and lists what is missing.</summary>
public sealed class ReadingGate(ReferenceLibrary library)
{
    /// <summary>
    /// The references the session still has to read before a run of <paramref name="type"/>: the always-required
    /// and skim files for the type, plus each when-applicable file whose condition <paramref name="applicable"/>
    /// reports true (with the reason it gives).
    /// </summary>
    public IReadOnlyList<UnreadReference> Unread(
        ReadingLedger ledger, ModelType type, Func<ReferenceInfo, string?>? applicable = null)
    {
        var required = ReferenceRegistry.RequiredFor(type).Select(info => (info, (string?)null)).ToList();
        if (applicable is not null)
        {
            foreach (var info in ReferenceRegistry.WhenApplicableFor(type))
            {
                if (applicable(info) is { } why)
                {
                    required.Add((info, why));
                }
            }
        }

        var unread = new List<UnreadReference>();
        foreach (var (info, why) in required)
        {
            var pageCount = library.Load(info.Name).Pages.Count;
            if (info.Requirement == ReadingRequirement.SkimHeadings)
            {
                if (!ledger.HeadingsDelivered(info.Name) && !ledger.AllPagesDelivered(info.Name, pageCount))
                {
                    unread.Add(new UnreadReference(info.Name, info.Requirement, [], pageCount, why));
                }

                continue;
            }

            var delivered = ledger.PagesDelivered(info.Name);
            var missing = Enumerable.Range(1, pageCount).Where(page => !delivered.Contains(page)).ToList();
            if (missing.Count > 0)
            {
                unread.Add(new UnreadReference(info.Name, info.Requirement, missing, pageCount, why));
            }
        }

        return unread;
    }
}
