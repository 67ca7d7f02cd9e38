using System.Text.RegularExpressions;

namespace StTrain.Skill.Routing;

/// <summary>
/// Picks the model type a one-sentence training request asks for, from cue phrases. The rules, in order:
/// cues preceded by a negation ("not", "no", "without", "instead of") are dropped; where two cues overlap
/// ("sparse embedding model") the one of the more specific type wins (SparseEncoder, then CrossEncoder, then
/// SentenceTransformer); a request that names two different model kinds is ambiguous; otherwise the strongest
/// cues decide and, between types with equally strong cues, the more specific type wins; no cue at all is ambiguous.
/// </summary>
public static partial class ModelTypeRouter
{
    /// <summary>The cue table. Phrases match at a word start and may run on ("rerank" matches "reranking").</summary>
    public static IReadOnlyList<RoutingCue> Cues { get; } =
    [
        // Requests that name the model kind.
        new("bi-encoder", ModelType.SentenceTransformer, CueStrength.Named),
        new("bi encoder", ModelType.SentenceTransformer, CueStrength.Named),
        new("sentence transformer", ModelType.SentenceTransformer, CueStrength.Named),
        new("sentence-transformer", ModelType.SentenceTransformer, CueStrength.Named),
        new("sentencetransformer", ModelType.SentenceTransformer, CueStrength.Named),
        new("embedding model", ModelType.SentenceTransformer, CueStrength.Named),
        new("dense retriever", ModelType.SentenceTransformer, CueStrength.Named),
        new("static embedding", ModelType.SentenceTransformer, CueStrength.Named),
        new("cross-encoder", ModelType.CrossEncoder, CueStrength.Named),
        new("cross encoder", ModelType.CrossEncoder, CueStrength.Named),
        new("crossencoder", ModelType.CrossEncoder, CueStrength.Named),
        new("reranker", ModelType.CrossEncoder, CueStrength.Named),
        new("re-ranker", ModelType.CrossEncoder, CueStrength.Named),
        new("splade", ModelType.SparseEncoder, CueStrength.Named),
        new("sparse encoder", ModelType.SparseEncoder, CueStrength.Named),
        new("sparse-encoder", ModelType.SparseEncoder, CueStrength.Named),
        new("sparseencoder", ModelType.SparseEncoder, CueStrength.Named),
        new("sparse embedding", ModelType.SparseEncoder, CueStrength.Named),
        new("learned sparse", ModelType.SparseEncoder, CueStrength.Named),

        // The skill's tiebreakers.
        new("vector search", ModelType.SentenceTransformer, CueStrength.Tiebreaker),
        new("similarity", ModelType.SentenceTransformer, CueStrength.Tiebreaker),
        new("similar", ModelType.SentenceTransformer, CueStrength.Tiebreaker),
        new("embedding", ModelType.SentenceTransformer, CueStrength.Tiebreaker),
        new("rerank", ModelType.CrossEncoder, CueStrength.Tiebreaker),
        new("re-rank", ModelType.CrossEncoder, CueStrength.Tiebreaker),
        new("ranker", ModelType.CrossEncoder, CueStrength.Tiebreaker),
        new("two-stage", ModelType.CrossEncoder, CueStrength.Tiebreaker),
        new("two stage", ModelType.CrossEncoder, CueStrength.Tiebreaker),
        new("sparse", ModelType.SparseEncoder, CueStrength.Tiebreaker),
        new("inverted index", ModelType.SparseEncoder, CueStrength.Tiebreaker),
        new("inverted-index", ModelType.SparseEncoder, CueStrength.Tiebreaker),

        // Task hints from the model-type table.
        new("semantic search", ModelType.SentenceTransformer, CueStrength.Hint),
        new("dense retrieval", ModelType.SentenceTransformer, CueStrength.Hint),
        new("clustering", ModelType.SentenceTransformer, CueStrength.Hint),
        new("cluster", ModelType.SentenceTransformer, CueStrength.Hint),
        new("classification", ModelType.SentenceTransformer, CueStrength.Hint),
        new("paraphrase", ModelType.SentenceTransformer, CueStrength.Hint),
        new("dedup", ModelType.SentenceTransformer, CueStrength.Hint),
        new("duplicate", ModelType.SentenceTransformer, CueStrength.Hint),
        new("matryoshka", ModelType.SentenceTransformer, CueStrength.Hint),
        new("retrieval", ModelType.SentenceTransformer, CueStrength.Hint),
        new("pair classification", ModelType.CrossEncoder, CueStrength.Hint),
        new("pair scoring", ModelType.CrossEncoder, CueStrength.Hint),
        new("score pairs", ModelType.CrossEncoder, CueStrength.Hint),
        new("relevance score", ModelType.CrossEncoder, CueStrength.Hint),
        new("elasticsearch", ModelType.SparseEncoder, CueStrength.Hint),
        new("opensearch", ModelType.SparseEncoder, CueStrength.Hint),
        new("lucene", ModelType.SparseEncoder, CueStrength.Hint),
        new("term expansion", ModelType.SparseEncoder, CueStrength.Hint),
        new("lexical", ModelType.SparseEncoder, CueStrength.Hint),
    ];

    // A negation up to two words before a cue cancels it: "not a reranker", "without sparse vectors".
    [GeneratedRegex(@"\b(not|no|without|instead of|rather than|don't want|do not want)\s+(\S+\s+){0,2}$")]
    private static partial Regex NegationBefore();

    /// <summary>How much of a request is read: a training request is a sentence or a paragraph, not a document.</summary>
    public const int MaxTaskCharacters = 4000;

    // Enough text before a cue for the negation and two words of any sensible length.
    private const int NegationWindow = 120;

    /// <summary>
    /// Routes one request. Never throws for any text, empty included; only the first
    /// <see cref="MaxTaskCharacters"/> characters are read, so the time taken is bounded whatever a client sends.
    /// </summary>
    public static RoutingDecision Route(string? task)
    {
        var text = (task ?? "").ToLowerInvariant();
        if (text.Length > MaxTaskCharacters) text = text[..MaxTaskCharacters];
        var matches = FindCues(text);
        var grouped = matches
            .GroupBy(match => match.Cue.ModelType)
            .ToDictionary(
                group => group.Key,
                group => (IReadOnlyList<string>)group.Select(match => match.Cue.Phrase).Distinct().ToList());

        if (matches.Count == 0)
        {
            return new RoutingDecision(null, true,
                "No cue for any model type. Ask the user whether they want an embedding model (SentenceTransformer: "
                + "similarity, vector search), a reranker (CrossEncoder: scores query-passage pairs, two-stage "
                + "retrieval) or a sparse model (SparseEncoder / SPLADE: inverted-index search).", grouped);
        }

        var named = matches.Where(match => match.Cue.Strength == CueStrength.Named)
            .Select(match => match.Cue.ModelType).Distinct().ToList();
        if (named.Count > 1)
        {
            return new RoutingDecision(null, true,
                $"The request names more than one model kind ({Describe(matches, CueStrength.Named)}). "
                + "Ask the user which one to train first; each is its own run.", grouped);
        }

        var strongest = matches.Max(match => match.Cue.Strength);
        var candidates = matches.Where(match => match.Cue.Strength == strongest)
            .Select(match => match.Cue.ModelType).Distinct().ToList();
        var chosen = candidates.OrderByDescending(Specificity).First();
        var reason = candidates.Count == 1
            ? $"Chosen from {Describe(matches, strongest)}."
            : $"Tiebreak between {string.Join(" and ", candidates)} on {Describe(matches, strongest)}: "
              + $"{chosen} is the more specific kind.";
        return new RoutingDecision(chosen, false, reason, grouped);
    }

    // SparseEncoder and CrossEncoder requests usually also mention embeddings or retrieval; the reverse is rare.
    private static int Specificity(ModelType type) => type switch
    {
        ModelType.SparseEncoder => 3,
        ModelType.CrossEncoder => 2,
        _ => 1,
    };

    private static string Describe(IEnumerable<CueMatch> matches, CueStrength strength) =>
        string.Join(", ", matches.Where(match => match.Cue.Strength == strength)
            .Select(match => $"\"{match.Cue.Phrase}\" → {match.Cue.ModelType}").Distinct());

    private static List<CueMatch> FindCues(string text)
    {
        var found = new List<CueMatch>();
        foreach (var cue in Cues)
        {
            var pattern = $@"(?<![\p{{L}}\p{{N}}]){Regex.Escape(cue.Phrase)}";
            foreach (Match match in Regex.Matches(text, pattern))
            {
                int windowStart = Math.Max(0, match.Index - NegationWindow);
                if (!NegationBefore().IsMatch(text[windowStart..match.Index]))
                {
                    found.Add(new CueMatch(cue, match.Index, match.Index + match.Length));
                }
            }
        }

        // Overlapping cues ("sparse embedding model"): keep the more specific type, then the stronger, longer cue.
        var ordered = found
            .OrderByDescending(match => Specificity(match.Cue.ModelType))
            .ThenByDescending(match => match.Cue.Strength)
            .ThenByDescending(match => match.End - match.Start)
            .ToList();
        var kept = new List<CueMatch>();
        foreach (var match in ordered)
        {
            var overlapsOtherType = kept.Any(other =>
                other.Cue.ModelType != match.Cue.ModelType && other.Start < match.End && match.Start < other.End);
            if (!overlapsOtherType)
            {
                kept.Add(match);
            }
        }

        return kept.OrderBy(match => match.Start).ToList();
    }

    private sealed record CueMatch(RoutingCue Cue, int Start, int End);
}
