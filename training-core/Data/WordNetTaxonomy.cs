namespace StTrain.Core.Data;

/// <summary>
/// The hypernym ("is a") graph of a <see cref="WordNetDatabase"/>, with depths and the Wu-Palmer similarity.
/// Hypernym and instance hypernym pointers both count as edges. Results are cached; not thread-safe.
/// </summary>
public sealed class WordNetTaxonomy(WordNetDatabase database)
{
    private readonly Dictionary<string, int> maxDepth = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, int>> ancestors = new(StringComparer.Ordinal);

    public WordNetDatabase Database => database;

    /// <summary>Edges on the longest hypernym path from the synset up to a root (a root has depth 0).</summary>
    public int MaxDepth(WordNetSynset synset) => MaxDepth(synset, 0);

    /// <summary>
    /// Every hypernym ancestor of the synset (itself included, at 0) with its shortest distance in edges.
    /// </summary>
    public IReadOnlyDictionary<string, int> AncestorDistances(WordNetSynset synset)
    {
        if (ancestors.TryGetValue(synset.Id, out var cached)) return cached;
        var distances = new Dictionary<string, int>(StringComparer.Ordinal) { [synset.Id] = 0 };
        var frontier = new Queue<WordNetSynset>();
        frontier.Enqueue(synset);
        while (frontier.Count > 0)
        {
            WordNetSynset current = frontier.Dequeue();
            int next = distances[current.Id] + 1;
            foreach (WordNetSynset parent in database.Hypernyms(current))
            {
                if (distances.TryAdd(parent.Id, next)) frontier.Enqueue(parent);
            }
        }
        ancestors[synset.Id] = distances;
        return distances;
    }

    /// <summary>
    /// The common hypernym that is deepest (largest <see cref="MaxDepth(WordNetSynset)"/>), ties broken by the
    /// shorter combined path and then by id; null when the two share no ancestor (e.g. verbs of different trees).
    /// </summary>
    public WordNetSynset? LowestCommonHypernym(WordNetSynset a, WordNetSynset b)
    {
        var fromA = AncestorDistances(a);
        var fromB = AncestorDistances(b);
        WordNetSynset? best = null;
        int bestDepth = -1, bestPath = int.MaxValue;
        foreach (var (id, distA) in fromA)
        {
            if (!fromB.TryGetValue(id, out int distB)) continue;
            WordNetSynset candidate = database.Get(id);
            int depth = MaxDepth(candidate);
            int path = distA + distB;
            bool better = depth > bestDepth
                || (depth == bestDepth && path < bestPath)
                || (depth == bestDepth && path == bestPath && string.CompareOrdinal(id, best!.Id) < 0);
            if (!better) continue;
            best = candidate;
            bestDepth = depth;
            bestPath = path;
        }
        return best;
    }

    /// <summary>
    /// Wu-Palmer similarity: wup = 2·d / (dist(a,c) + dist(b,c) + 2·d), with c the lowest common hypernym,
    /// d = MaxDepth(c) + 1 (depth counted in nodes) and dist the shortest hypernym path in edges. 0 without a
    /// common hypernym; 1 for a synset with itself.
    /// </summary>
    public double WuPalmer(WordNetSynset a, WordNetSynset b)
    {
        WordNetSynset? common = LowestCommonHypernym(a, b);
        if (common is null) return 0;
        int depth = MaxDepth(common) + 1;
        int distA = AncestorDistances(a)[common.Id];
        int distB = AncestorDistances(b)[common.Id];
        return 2.0 * depth / (distA + distB + 2.0 * depth);
    }

    private int MaxDepth(WordNetSynset synset, int guard)
    {
        if (maxDepth.TryGetValue(synset.Id, out int known)) return known;
        if (guard > 200)
            throw new InvalidOperationException(
                $"The hypernym chain above {synset.Name} is longer than 200 links, so it must contain a cycle; " +
                "the WordNet files are damaged. Fix: fetch WordNet again.");
        int depth = 0;
        foreach (WordNetSynset parent in database.Hypernyms(synset))
            depth = Math.Max(depth, MaxDepth(parent, guard + 1) + 1);
        maxDepth[synset.Id] = depth;
        return depth;
    }
}
