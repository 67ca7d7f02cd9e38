using System.Globalization;

namespace StTrain.Core.Data;

/// <summary>
/// One synset (a set of synonymous word senses) read from a WordNet data file line: offset, lexicographer file,
/// part of speech, words, pointers, verb frames and gloss (split into definition and examples).
/// </summary>
public sealed class WordNetSynset
{
    internal WordNetSynset(long offset, int lexFileNumber, char pos, IReadOnlyList<WordNetWord> words,
        IReadOnlyList<WordNetPointer> pointers, IReadOnlyList<(int Frame, int Word)> verbFrames, string gloss)
    {
        Offset = offset;
        LexFileNumber = lexFileNumber;
        Pos = pos;
        Words = words;
        Pointers = pointers;
        VerbFrames = verbFrames;
        Gloss = gloss;
        (Definition, Examples) = WordNetGloss.Split(gloss);
        Id = MakeId(offset, pos);
        Name = Id;
    }

    /// <summary>Byte offset of the synset's line in its data file (the synset's key within that file).</summary>
    public long Offset { get; }

    /// <summary>Synset type: n (noun), v (verb), a (adjective), s (adjective satellite), r (adverb).</summary>
    public char Pos { get; }

    /// <summary>The data file the synset lives in: n, v, a (adjectives and satellites) or r.</summary>
    public char FilePos => FilePosOf(Pos);

    /// <summary>Lexicographer file number (0-44).</summary>
    public int LexFileNumber { get; }

    /// <summary>Lexicographer file name, e.g. "noun.animal".</summary>
    public string LexFileName => WordNetLexicographerFiles.NameOf(LexFileNumber);

    public IReadOnlyList<WordNetWord> Words { get; }

    public IReadOnlyList<WordNetPointer> Pointers { get; }

    /// <summary>Verb frames: frame number and word number (0 = every word of the synset).</summary>
    public IReadOnlyList<(int Frame, int Word)> VerbFrames { get; }

    /// <summary>The whole gloss as in the data file.</summary>
    public string Gloss { get; }

    /// <summary>The gloss without its example sentences.</summary>
    public string Definition { get; }

    /// <summary>The example sentences of the gloss, without their quotes.</summary>
    public IReadOnlyList<string> Examples { get; }

    /// <summary>Stable key "OFFSET-P" (8-digit offset, data file letter), e.g. "02086723-n".</summary>
    public string Id { get; }

    /// <summary>
    /// Readable name "lemma.pos.NN" as NLTK spells it (first lemma lower-cased, sense number of this synset in that
    /// lemma's index entry), e.g. "dog.n.01". Equal to <see cref="Id"/> until the index files are read.
    /// </summary>
    public string Name { get; internal set; }

    /// <summary>The lemmas as one text, e.g. "dog, domestic dog, Canis familiaris".</summary>
    public string TermDocument => string.Join(", ", Words.Select(w => w.Text).Distinct(StringComparer.Ordinal));

    /// <summary>Ids of the synsets this one "is a" (hypernyms and instance hypernyms).</summary>
    public IEnumerable<string> HypernymIds =>
        Pointers.Where(p => p.IsHypernym && p.IsSemantic).Select(p => p.TargetId);

    /// <summary>Ids of the synsets that are kinds or instances of this one.</summary>
    public IEnumerable<string> HyponymIds =>
        Pointers.Where(p => p.IsHyponym && p.IsSemantic).Select(p => p.TargetId);

    /// <summary>The id for an offset and part of speech (satellites share the adjective file, so 's' → 'a').</summary>
    public static string MakeId(long offset, char pos) =>
        offset.ToString("D8", CultureInfo.InvariantCulture) + "-" + FilePosOf(pos);

    internal static char FilePosOf(char pos) => pos == 's' ? 'a' : pos;

    public override string ToString() => $"{Name} ({TermDocument}): {Definition}";
}
