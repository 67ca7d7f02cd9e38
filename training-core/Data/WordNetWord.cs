namespace StTrain.Core.Data;

/// <summary>
/// A word form of a synset: the lemma as written in the data file (underscores for spaces, case kept), its lex_id
/// (distinguishes senses of one lemma within a lexicographer file) and, for adjectives, the syntactic marker
/// ("p" predicate, "a" attributive, "ip" immediately postnominal) when the data file gives one.
/// </summary>
public sealed record WordNetWord(string Lemma, int LexId, string? Marker)
{
    /// <summary>The lemma with spaces instead of underscores, e.g. "Canis familiaris".</summary>
    public string Text => Lemma.Replace('_', ' ');
}
