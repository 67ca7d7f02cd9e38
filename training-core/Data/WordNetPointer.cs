namespace StTrain.Core.Data;

/// <summary>
/// One relation from a synset (or one of its words) to another synset, as listed in a data file line:
/// symbol, target offset, target part of speech, and source/target word numbers (0/0 = between whole synsets).
/// </summary>
public sealed record WordNetPointer(string Symbol, long TargetOffset, char TargetPos, int SourceWord, int TargetWord)
{
    private static readonly Dictionary<string, string> Kinds = new(StringComparer.Ordinal)
    {
        ["!"] = "antonym",
        ["@"] = "hypernym",
        ["@i"] = "instance_hypernym",
        ["~"] = "hyponym",
        ["~i"] = "instance_hyponym",
        ["#m"] = "member_holonym",
        ["#s"] = "substance_holonym",
        ["#p"] = "part_holonym",
        ["%m"] = "member_meronym",
        ["%s"] = "substance_meronym",
        ["%p"] = "part_meronym",
        ["="] = "attribute",
        ["+"] = "derivationally_related_form",
        [";c"] = "domain_topic",
        ["-c"] = "member_of_domain_topic",
        [";r"] = "domain_region",
        ["-r"] = "member_of_domain_region",
        [";u"] = "domain_usage",
        ["-u"] = "member_of_domain_usage",
        ["*"] = "entailment",
        [">"] = "cause",
        ["^"] = "also_see",
        ["$"] = "verb_group",
        ["&"] = "similar_to",
        ["<"] = "participle_of_verb",
        ["\\"] = "pertainym",
    };

    /// <summary>Readable relation name (hypernym, part_meronym, ...); the raw symbol when it is not a known
    /// one.</summary>
    public string Kind => Kinds.TryGetValue(Symbol, out string? kind) ? kind : Symbol;

    /// <summary>The id of the target synset (same form as <see cref="WordNetSynset.Id"/>).</summary>
    public string TargetId => WordNetSynset.MakeId(TargetOffset, TargetPos);

    /// <summary>True when the relation holds between whole synsets rather than between two of their words.</summary>
    public bool IsSemantic => SourceWord == 0 && TargetWord == 0;

    /// <summary>Hypernym or instance hypernym: the edges of the "is a" taxonomy, pointing up.</summary>
    public bool IsHypernym => Symbol is "@" or "@i";

    /// <summary>Hyponym or instance hyponym: the edges of the "is a" taxonomy, pointing down.</summary>
    public bool IsHyponym => Symbol is "~" or "~i";
}
