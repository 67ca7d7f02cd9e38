using System.Globalization;

namespace StTrain.Core.Data;

/// <summary>
/// Turns a <see cref="WordNetDatabase"/> into training and evaluation datasets. Synsets go to train/dev/test by a
/// hash of their id, and every synset whose text appears in a row belongs to that row's split, so the splits are
/// disjoint by synset. Samples and orders come from seeded hashes: the same input gives the same rows.
/// </summary>
public sealed class WordNetDatasetBuilder
{
    public const string Train = "train";
    public const string Dev = "dev";
    public const string Test = "test";

    /// <summary>Where a hard negative came from: 1 sister (same hypernym), 2 cousin (same grandparent), 3 same
    /// lexicographer file.</summary>
    public const int SisterLevel = 1;
    public const int CousinLevel = 2;
    public const int LexFileLevel = 3;

    private static readonly string[] Splits = [Train, Dev, Test];

    /// <summary>The splits that get the evaluation-only datasets (ir, reranking).</summary>
    private static readonly string[] EvaluationSplits = [Dev, Test];

    private readonly WordNetDatabase database;
    private readonly WordNetDatasetOptions options;
    private readonly WordNetTaxonomy taxonomy;
    private readonly Dictionary<string, string> splitOf = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Split, char Pos, int LexFile), List<WordNetSynset>> lexFilePools = new();
    private readonly Dictionary<(string Split, char Pos), List<WordNetSynset>> posPools = new();
    private readonly List<WordNetSynset> ordered;
    private readonly List<WordNetSynset> anchors;

    public WordNetDatasetBuilder(WordNetDatabase database, WordNetDatasetOptions? options = null)
    {
        this.database = database;
        this.options = options ?? new WordNetDatasetOptions();
        this.options.Validate();
        taxonomy = new WordNetTaxonomy(database);
        var wanted = this.options.PartsOfSpeech.Select(p => WordNetSynset.FilePosOf(p)).ToHashSet();
        var missing = wanted.Where(p => !database.PartsOfSpeech.Contains(p)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException(
                $"Part of speech {string.Join(", ", missing)} was requested but not loaded. Fix: load the database " +
                "with those parts of speech.");
        var eligible = database.Synsets
            .Where(s => wanted.Contains(s.FilePos) && s.Words.Count > 0 && s.Definition.Length > 0).ToList();
        foreach (WordNetSynset s in eligible) splitOf[s.Id] = SplitFor(s.Id);
        ordered = eligible
            .Select(s => (Synset: s, Key: StableHash.Of(Seed, "order", s.Id)))
            .OrderBy(x => x.Key).ThenBy(x => x.Synset.Id, StringComparer.Ordinal)
            .Select(x => x.Synset).ToList();
        foreach (WordNetSynset s in ordered)
        {
            string split = splitOf[s.Id];
            GetOrAdd(lexFilePools, (split, s.FilePos, s.LexFileNumber)).Add(s);
            GetOrAdd(posPools, (split, s.FilePos)).Add(s);
        }
        anchors = this.options.MaxSynsets == 0 ? ordered : ordered.Take(this.options.MaxSynsets).ToList();
    }

    /// <summary>The synsets that get rows, in their (hash) order.</summary>
    public IReadOnlyList<WordNetSynset> Anchors => anchors;

    /// <summary>Number of synsets of the chosen parts of speech that could be used.</summary>
    public int EligibleCount => ordered.Count;

    public WordNetTaxonomy Taxonomy => taxonomy;

    public WordNetDatasetOptions Options => options;

    private string Seed => options.Seed.ToString(CultureInfo.InvariantCulture);

    /// <summary>train, dev or test for a synset id; fixed by the id, the seed and the fractions.</summary>
    public string SplitFor(string synsetId)
    {
        double u = StableHash.Unit(Seed, "split", synsetId);
        return u < options.TrainFraction ? Train : u < options.TrainFraction + options.DevFraction ? Dev : Test;
    }

    /// <summary>
    /// Up to <paramref name="count"/> negatives for a synset, all in its split, hardest first: sisters (another
    /// hyponym of one of its hypernyms; for adjective satellites another satellite of the same head), then cousins
    /// (same grandparent), then synsets of the same lexicographer file. Never the synset itself, one of its ancestors
    /// or descendants, or a synset whose lemma text equals its own.
    /// </summary>
    public IReadOnlyList<(WordNetSynset Synset, int Level)> HardNegatives(WordNetSynset synset, int count)
    {
        var result = new List<(WordNetSynset, int)>();
        if (count <= 0 || !splitOf.TryGetValue(synset.Id, out string? split)) return result;
        var taken = new HashSet<string>(StringComparer.Ordinal) { synset.Id };
        var ancestors = taxonomy.AncestorDistances(synset);
        string ownText = synset.TermDocument;

        bool Accept(WordNetSynset candidate)
        {
            if (taken.Contains(candidate.Id) || ancestors.ContainsKey(candidate.Id)) return false;
            if (!splitOf.TryGetValue(candidate.Id, out string? s) || s != split) return false;
            if (string.Equals(candidate.TermDocument, ownText, StringComparison.OrdinalIgnoreCase)) return false;
            return !taxonomy.AncestorDistances(candidate).ContainsKey(synset.Id);
        }

        void AddLevel(IEnumerable<WordNetSynset> candidates, int level)
        {
            var fresh = candidates.Where(Accept).DistinctBy(c => c.Id)
                .OrderBy(c => StableHash.Of(Seed, "negative", synset.Id, c.Id))
                .ThenBy(c => c.Id, StringComparer.Ordinal);
            foreach (WordNetSynset c in fresh)
            {
                if (result.Count >= count) return;
                taken.Add(c.Id);
                result.Add((c, level));
            }
        }

        var parents = Parents(synset).ToList();
        AddLevel(parents.SelectMany(Children), SisterLevel);
        if (result.Count < count)
        {
            var parentIds = parents.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
            var uncles = parents.SelectMany(Parents).SelectMany(Children).Where(u => !parentIds.Contains(u.Id));
            AddLevel(uncles.SelectMany(Children), CousinLevel);
        }
        if (result.Count < count
            && lexFilePools.TryGetValue((split, synset.FilePos, synset.LexFileNumber), out var pool))
        {
            // Draw a few more than needed at random positions: scanning the whole pool per synset would be slow.
            var random = new DeterministicRandom((long)StableHash.Of(Seed, "lexfile", synset.Id));
            int draws = Math.Min(pool.Count, 4 * (count - result.Count) + 8);
            AddLevel(random.SampleIndices(pool.Count, draws).Select(i => pool[i]), LexFileLevel);
        }
        return result;
    }

    /// <summary>Builds every dataset in memory; <paramref name="log"/> receives progress lines.</summary>
    public IReadOnlyList<WordNetGeneratedDataset> Build(Action<string>? log = null)
    {
        log?.Invoke($"Building from {anchors.Count} of {ordered.Count} synsets " +
                    $"({string.Join(", ", Splits.Select(s => $"{s} {AnchorsIn(s).Count()}"))})");
        var datasets = new List<WordNetGeneratedDataset>
        {
            BuildReverseDictionary(),
            BuildTriplets(),
            BuildScoredPairs(),
            BuildBinaryPairs(),
            BuildClassification(),
            BuildExampleGloss(),
            BuildInformationRetrieval(),
            BuildReranking(),
        };
        foreach (WordNetGeneratedDataset d in datasets)
            log?.Invoke($"  {d.Name}: {string.Join(", ", d.Tables.Select(t => $"{t.FileName} {t.Count}"))}");
        return datasets;
    }

    private WordNetGeneratedDataset BuildReverseDictionary()
    {
        var dataset = new WordNetGeneratedDataset
        {
            Name = "reverse_dictionary",
            Title = "WordNet reverse dictionary: definition → lemmas",
            Description = "Each row pairs a synset's definition (the query) with its lemmas written as one text " +
                          "(the document), e.g. \"a member of the genus Canis ...\" → \"dog, domestic dog, Canis " +
                          "familiaris\".",
            ColumnNotes =
            [
                ("anchor", "string: the synset's definition (gloss without example sentences)"),
                ("positive", "string: the synset's lemmas joined with \", \", underscores as spaces"),
            ],
            Losses = ["MultipleNegativesRankingLoss", "CachedMultipleNegativesRankingLoss", "GISTEmbedLoss",
                "CachedGISTEmbedLoss", "MultipleNegativesSymmetricRankingLoss", "MegaBatchMarginLoss",
                "MatryoshkaLoss (wrapping one of these)"],
            Evaluators = ["InformationRetrievalEvaluator (use ../ir)", "RerankingEvaluator (use ../reranking)",
                "TranslationEvaluator"],
        };
        return FillSplits(dataset, ["anchor", "positive"],
            (s, table) => table.Add([s.Definition, s.TermDocument], s.Id));
    }

    private WordNetGeneratedDataset BuildTriplets()
    {
        var dataset = new WordNetGeneratedDataset
        {
            Name = "triplets",
            Title = "WordNet triplets with taxonomy hard negatives",
            Description = "Each row is (definition, its lemmas, the lemmas of a nearby but different synset). " +
                          "Negatives are sisters (another hyponym of the same hypernym) when the split has one, " +
                          "else cousins (same grandparent), else a synset of the same lexicographer file.",
            ColumnNotes =
            [
                ("anchor", "string: the synset's definition"),
                ("positive", "string: the synset's lemmas"),
                ("negative", "string: the lemmas of a hard negative synset of the same split"),
            ],
            Losses = ["MultipleNegativesRankingLoss", "CachedMultipleNegativesRankingLoss", "TripletLoss",
                "GISTEmbedLoss", "CachedGISTEmbedLoss", "MatryoshkaLoss (wrapping one of these)"],
            Evaluators = ["TripletEvaluator"],
        };
        return FillWithHardNegatives(dataset, ["anchor", "positive", "negative"], options.TripletNegatives,
            ownRow: null, (s, negative) => [s.Definition, s.TermDocument, negative.TermDocument]);
    }

    private WordNetGeneratedDataset BuildScoredPairs()
    {
        var dataset = new WordNetGeneratedDataset
        {
            Name = "scored_pairs",
            Title = "WordNet gloss pairs scored by Wu-Palmer similarity",
            Description = "Each row pairs two definitions with the Wu-Palmer similarity of their synsets in the " +
                          "hypernym taxonomy: 2·d(c) / (dist(a,c) + dist(b,c) + 2·d(c)), c the deepest common " +
                          "hypernym, d its depth in nodes, dist the shortest hypernym path. Per synset: a sister, " +
                          "a cousin and a random synset of the same split, so scores spread over [0, 1].",
            ColumnNotes =
            [
                ("sentence1", "string: a definition"),
                ("sentence2", "string: another synset's definition"),
                ("score", "float in [0, 1], rounded to 4 decimals"),
            ],
            Losses = ["CoSENTLoss", "AnglELoss", "CosineSimilarityLoss"],
            Evaluators = ["EmbeddingSimilarityEvaluator"],
        };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int skippedPos = 0;
        FillSplits(dataset, ["sentence1", "sentence2", "score"], (s, table) =>
        {
            if (s.FilePos is 'a' or 'r')
            {
                // Adjectives and adverbs have no hypernym taxonomy, so Wu-Palmer would be 0 for every pair.
                skippedPos++;
                return;
            }
            var partners = new List<WordNetSynset>();
            var near = HardNegatives(s, 8);
            partners.AddRange(near.Where(n => n.Level == SisterLevel).Take(1).Select(n => n.Synset));
            partners.AddRange(near.Where(n => n.Level == CousinLevel).Take(1).Select(n => n.Synset));
            var pool = posPools[(table.Split, s.FilePos)];
            var random = new DeterministicRandom((long)StableHash.Of(Seed, "scored", s.Id));
            for (int tries = 0; tries < 4 && pool.Count > 1; tries++)
            {
                WordNetSynset other = pool[random.NextInt(pool.Count)];
                if (other.Id == s.Id || partners.Any(p => p.Id == other.Id)) continue;
                partners.Add(other);
                break;
            }
            foreach (WordNetSynset other in partners.Take(options.ScoredPairsPerSynset))
            {
                string key = string.CompareOrdinal(s.Id, other.Id) < 0 ? s.Id + "|" + other.Id : other.Id + "|" + s.Id;
                if (!seen.Add(key) || other.Definition == s.Definition) continue;
                double score = Math.Round(taxonomy.WuPalmer(s, other), 4, MidpointRounding.AwayFromZero);
                table.Add([s.Definition, other.Definition, score], s.Id, other.Id);
            }
        });
        if (skippedPos > 0)
            dataset.Notes.Add($"{skippedPos} adjective/adverb synsets were left out: they have no hypernym taxonomy.");
        dataset.Notes.Add("Verbs without a common hypernym score 0 (no shared root is simulated).");
        return dataset;
    }

    private WordNetGeneratedDataset BuildBinaryPairs()
    {
        var dataset = new WordNetGeneratedDataset
        {
            Name = "binary_pairs",
            Title = "WordNet definition/lemma pairs labelled same-synset or not",
            Description = "Each synset gives a label-1 row (its definition, its lemmas) and label-0 rows (its " +
                          "definition, the lemmas of a hard negative synset: sister, cousin or same lexicographer " +
                          "file, in the same split).",
            ColumnNotes =
            [
                ("sentence1", "string: a definition"),
                ("sentence2", "string: lemmas of the same synset (label 1) or of a nearby synset (label 0)"),
                ("label", "integer 1 = same synset, 0 = different synset"),
            ],
            Losses = ["ContrastiveLoss", "OnlineContrastiveLoss", "SoftmaxLoss (num_labels=2)"],
            Evaluators = ["BinaryClassificationEvaluator"],
        };
        return FillWithHardNegatives(dataset, ["sentence1", "sentence2", "label"], options.BinaryNegatives,
            s => [s.Definition, s.TermDocument, 1L], (s, negative) => [s.Definition, negative.TermDocument, 0L]);
    }

    private WordNetGeneratedDataset BuildClassification()
    {
        var dataset = new WordNetGeneratedDataset
        {
            Name = "classification",
            Title = "WordNet definitions labelled with their lexicographer file",
            Description = "Each row is a definition and the number of the synset's lexicographer file (its " +
                          "semantic group, e.g. 5 = noun.animal). Labels keep WordNet's numbers, so they are not " +
                          "contiguous from 0.",
            ColumnNotes =
            [
                ("text", "string: a definition"),
                ("label", "integer: WordNet lexicographer file number (names below)"),
            ],
            Losses = ["BatchAllTripletLoss", "BatchHardTripletLoss", "BatchSemiHardTripletLoss",
                "BatchHardSoftMarginTripletLoss"],
            Evaluators = ["LabelAccuracyEvaluator (with a softmax head)"],
        };
        var counts = new SortedDictionary<int, int>();
        FillSplits(dataset, ["text", "label"], (s, table) =>
        {
            table.Add([s.Definition, (long)s.LexFileNumber], s.Id);
            counts[s.LexFileNumber] = counts.GetValueOrDefault(s.LexFileNumber) + 1;
        });
        dataset.Notes.Add("Labels (number = name: rows over all splits): " + string.Join(", ",
            counts.Select(c => $"{c.Key} = {WordNetLexicographerFiles.NameOf(c.Key)}: {c.Value}")) + ".");
        return dataset;
    }

    private WordNetGeneratedDataset BuildExampleGloss()
    {
        var dataset = new WordNetGeneratedDataset
        {
            Name = "example_gloss",
            Title = "WordNet example sentences paired with their definition",
            Description = "Each row pairs an example sentence from a gloss with the definition of the same " +
                          "synset: the sentence uses the word in the sense the definition describes.",
            ColumnNotes =
            [
                ("anchor", "string: an example sentence"),
                ("positive", "string: the definition of the synset the example illustrates"),
            ],
            Losses = ["MultipleNegativesRankingLoss", "CachedMultipleNegativesRankingLoss", "GISTEmbedLoss"],
            Evaluators = ["TranslationEvaluator", "InformationRetrievalEvaluator (after building queries/corpus)"],
        };
        FillSplits(dataset, ["anchor", "positive"], (s, table) =>
        {
            foreach (string example in s.Examples.Take(options.MaxExamplesPerSynset))
                table.Add([example, s.Definition], s.Id);
        });
        dataset.Notes.Add("Synsets without example sentences give no rows.");
        return dataset;
    }

    private WordNetGeneratedDataset BuildInformationRetrieval()
    {
        var dataset = new WordNetGeneratedDataset
        {
            Name = "ir",
            Title = "WordNet reverse-dictionary retrieval (dev and test)",
            Description = "Queries are definitions; the corpus holds the lemma documents of every sampled synset of " +
                          "the split plus distractors (other synsets of the split, nearest in the taxonomy first); " +
                          "each query has one relevant document. Documents with identical text are merged.",
            ColumnNotes =
            [
                ("queries.jsonl id", "string: synset name, e.g. dog.n.01"),
                ("queries.jsonl text", "string: the definition"),
                ("corpus.jsonl id", "string: synset name of the (first) synset with this lemma document"),
                ("corpus.jsonl text", "string: lemma document"),
                ("qrels.jsonl query_id / corpus_id", "string: one relevant document per query"),
            ],
            Losses = [],
            Evaluators = ["InformationRetrievalEvaluator (queries, corpus, relevant_docs from qrels)"],
        };
        foreach (string split in EvaluationSplits)
        {
            var inSplit = AnchorsIn(split).ToList();
            var queries = inSplit.Take(options.MaxQueries).ToList();
            var queryTable = new WordNetTable($"{split}/queries.jsonl", split, ["id", "text"]);
            var corpusTable = new WordNetTable($"{split}/corpus.jsonl", split, ["id", "text"]);
            var qrelTable = new WordNetTable($"{split}/qrels.jsonl", split, ["query_id", "corpus_id"]);
            var docIdByText = new Dictionary<string, string>(StringComparer.Ordinal);
            var docSources = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            var docOrder = new List<string>();
            var inCorpus = new HashSet<string>(StringComparer.Ordinal);

            void AddDoc(WordNetSynset s)
            {
                if (!inCorpus.Add(s.Id)) return;
                if (docIdByText.TryGetValue(s.TermDocument, out string? existing))
                {
                    docSources[existing].Add(s.Id);
                    return;
                }
                docIdByText[s.TermDocument] = s.Name;
                docSources[s.Name] = [s.Id];
                docOrder.Add(s.TermDocument);
            }

            foreach (WordNetSynset s in inSplit) AddDoc(s);
            int relevantDocs = docIdByText.Count;
            var distractors = queries.SelectMany(q => HardNegatives(q, 3))
                .Where(n => n.Level != LexFileLevel).Select(n => n.Synset)
                .Concat(ordered.Where(s => splitOf[s.Id] == split));
            foreach (WordNetSynset s in distractors)
            {
                if (docIdByText.Count - relevantDocs >= options.MaxDistractors) break;
                AddDoc(s);
            }
            foreach (WordNetSynset q in queries)
            {
                queryTable.Add([q.Name, q.Definition], q.Id);
                qrelTable.Add([q.Name, docIdByText[q.TermDocument]], q.Id);
            }
            foreach (string text in docOrder)
                corpusTable.Add([docIdByText[text], text], docSources[docIdByText[text]].ToArray());
            dataset.Tables.AddRange([queryTable, corpusTable, qrelTable]);
            dataset.Notes.Add($"{split}: {queries.Count} queries, {relevantDocs} documents of sampled synsets, " +
                              $"{docIdByText.Count - relevantDocs} distractors.");
        }
        return dataset;
    }

    private WordNetGeneratedDataset BuildReranking()
    {
        var dataset = new WordNetGeneratedDataset
        {
            Name = "reranking",
            Title = "WordNet reranking: definition, its lemmas, and hard negative lemmas (dev and test)",
            Description = "Each row has a definition as query, its lemma document as the one positive, and the " +
                          "lemma documents of hard negative synsets of the same split (sisters, cousins, then same " +
                          "lexicographer file).",
            ColumnNotes =
            [
                ("query", "string: a definition"),
                ("positive", "list of strings: the synset's lemma document"),
                ("negative", "list of strings: lemma documents of hard negative synsets"),
            ],
            Losses = [],
            Evaluators = ["RerankingEvaluator"],
        };
        foreach (string split in EvaluationSplits)
        {
            var table = new WordNetTable($"{split}.jsonl", split, ["query", "positive", "negative"]);
            foreach (WordNetSynset s in AnchorsIn(split))
            {
                if (table.Count >= options.MaxQueries) break;
                var negatives = HardNegatives(s, options.RerankingNegatives);
                if (negatives.Count == 0) continue;
                object?[] negativeTexts = negatives.Select(n => (object?)n.Synset.TermDocument).ToArray();
                table.Add([s.Definition, new object?[] { s.TermDocument }, negativeTexts],
                    [s.Id, .. negatives.Select(n => n.Synset.Id)]);
            }
            dataset.Tables.Add(table);
        }
        return dataset;
    }

    /// <summary>
    /// Gives <paramref name="dataset"/> a train, dev and test table with <paramref name="columns"/>, then calls
    /// <paramref name="addRows"/> for each anchor synset, in order, with the table of the synset's split.
    /// </summary>
    private WordNetGeneratedDataset FillSplits(
        WordNetGeneratedDataset dataset, string[] columns, Action<WordNetSynset, WordNetTable> addRows)
    {
        var tables = Splits.ToDictionary(s => s, s => new WordNetTable($"{s}.jsonl", s, columns));
        dataset.Tables.AddRange(tables.Values);
        foreach (WordNetSynset s in anchors) addRows(s, tables[splitOf[s.Id]]);
        return dataset;
    }

    /// <summary>
    /// <see cref="FillSplits"/> with, per anchor synset, its <paramref name="ownRow"/> (when given) and then one row
    /// per hard negative (up to <paramref name="negatives"/>); the card notes where the negatives came from.
    /// </summary>
    private WordNetGeneratedDataset FillWithHardNegatives(WordNetGeneratedDataset dataset, string[] columns,
        int negatives, Func<WordNetSynset, object?[]>? ownRow,
        Func<WordNetSynset, WordNetSynset, object?[]> negativeRow)
    {
        var levels = new int[4];
        FillSplits(dataset, columns, (s, table) =>
        {
            if (ownRow is not null) table.Add(ownRow(s), s.Id);
            foreach (var (negative, level) in HardNegatives(s, negatives))
            {
                table.Add(negativeRow(s, negative), s.Id, negative.Id);
                levels[level]++;
            }
        });
        dataset.Notes.Add(NegativeProvenance(levels));
        return dataset;
    }

    private IEnumerable<WordNetSynset> AnchorsIn(string split) => anchors.Where(a => splitOf[a.Id] == split);

    private static string NegativeProvenance(int[] levels) =>
        $"Negatives: {levels[SisterLevel]} sisters, {levels[CousinLevel]} cousins, " +
        $"{levels[LexFileLevel]} from the same lexicographer file.";

    /// <summary>Taxonomy parents: hypernyms for nouns and verbs, the head synset(s) for adjective satellites.</summary>
    private IEnumerable<WordNetSynset> Parents(WordNetSynset synset) => synset.Pos switch
    {
        'n' or 'v' => database.Hypernyms(synset),
        's' => Related(synset, "&"),
        _ => [],
    };

    /// <summary>Taxonomy children: hyponyms for nouns and verbs, the satellites of an adjective head.</summary>
    private IEnumerable<WordNetSynset> Children(WordNetSynset synset) => synset.Pos switch
    {
        'n' or 'v' => database.Hyponyms(synset),
        'a' => Related(synset, "&").Where(s => s.Pos == 's'),
        _ => [],
    };

    private IEnumerable<WordNetSynset> Related(WordNetSynset synset, string symbol) =>
        synset.Pointers.Where(p => p.Symbol == symbol && p.IsSemantic)
            .Select(p => database.Find(p.TargetId)).OfType<WordNetSynset>();

    private static List<WordNetSynset> GetOrAdd<TKey>(Dictionary<TKey, List<WordNetSynset>> map, TKey key)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = new List<WordNetSynset>();
        return list;
    }
}
