namespace StTrain.Core.Data;

/// <summary>
/// The 45 WordNet lexicographer files (lexnames(5WN)): the number in each data line's lex_filenum field names the
/// semantic group a synset belongs to, e.g. 5 = noun.animal.
/// </summary>
public static class WordNetLexicographerFiles
{
    private static readonly string[] Names =
    [
        "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact",
        "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event", "noun.feeling",
        "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object", "noun.person",
        "noun.phenomenon", "noun.plant", "noun.possession", "noun.process", "noun.quantity", "noun.relation",
        "noun.shape", "noun.state", "noun.substance", "noun.time", "verb.body", "verb.change", "verb.cognition",
        "verb.communication", "verb.competition", "verb.consumption", "verb.contact", "verb.creation",
        "verb.emotion", "verb.motion", "verb.perception", "verb.possession", "verb.social", "verb.stative",
        "verb.weather", "adj.ppl",
    ];

    /// <summary>Number of lexicographer files (45).</summary>
    public static int Count => Names.Length;

    /// <summary>All names, indexed by file number.</summary>
    public static IReadOnlyList<string> All => Names;

    /// <summary>The name of a file number, e.g. 5 → "noun.animal".</summary>
    public static string NameOf(int number) =>
        number >= 0 && number < Names.Length
            ? Names[number]
            : throw new ArgumentOutOfRangeException(nameof(number), number,
                $"WordNet lexicographer file numbers run from 0 to {Names.Length - 1}.");

    /// <summary>The number of a file name, e.g. "noun.animal" → 5; -1 when unknown.</summary>
    public static int NumberOf(string name) => Array.IndexOf(Names, name);
}
