using StTrain.Core.Data;
using Xunit;

namespace StTrain.Tests.Data;

[Collection(FullWordNetCollection.Name)]
public sealed class WordNetDatasetBuilderTests(FullWordNetFixture wordnet) : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("st-train-wnds-").FullName;
    private static readonly WordNetDatasetOptions Small = new() { MaxSynsets = 1500, MaxQueries = 100,
        MaxDistractors = 300 };
    private static readonly object Gate = new();
    private static (WordNetDatasetBuilder Builder, IReadOnlyList<WordNetGeneratedDataset> Datasets)? built;

    /// <summary>One build of the small options, shared by the tests that only read it.</summary>
    private (WordNetDatasetBuilder Builder, IReadOnlyList<WordNetGeneratedDataset> Datasets) Built()
    {
        lock (Gate)
        {
            if (built is null)
            {
                var builder = new WordNetDatasetBuilder(wordnet.Nouns, Small);
                built = (builder, builder.Build());
            }
            return built.Value;
        }
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Full_noun_database_parses_with_known_facts()
    {
        WordNetDatabase nouns = wordnet.Nouns;
        Assert.Equal("3.1", nouns.Version);
        Assert.True(nouns.Synsets.Count > 80_000, $"only {nouns.Synsets.Count} noun synsets");
        WordNetSynset dog = nouns.Get("dog.n.01");
        Assert.Equal("dog, domestic dog, Canis familiaris", dog.TermDocument);
        Assert.Equal(["canine.n.02", "domestic_animal.n.01"], nouns.Hypernyms(dog).Select(s => s.Name));
        Assert.Contains(nouns.Hyponyms(dog), s => s.Name == "puppy.n.01");
        Assert.Equal(7, nouns.Lookup("dog", 'n').Count);
        Assert.Equal("frump.n.01", nouns.Lookup("dog", 'n')[1].Name);
        // Every noun reaches entity.n.01, the single root of the noun taxonomy.
        var taxonomy = new WordNetTaxonomy(nouns);
        Assert.All(nouns.Synsets.Take(2000), s => Assert.True(taxonomy.AncestorDistances(s).ContainsKey("00001740-n")));
    }

    [Fact]
    public void Splits_are_disjoint_by_synset_in_every_row()
    {
        var (builder, datasets) = Built();
        var splitSets = new Dictionary<string, HashSet<string>>();
        foreach (WordNetTable table in datasets.SelectMany(d => d.Tables))
        {
            Assert.True(table.Count > 0, $"{table.FileName} is empty");
            if (!splitSets.TryGetValue(table.Split, out var set)) splitSets[table.Split] = set = new HashSet<string>();
            foreach (string[] sources in table.SourceSynsets)
            {
                Assert.NotEmpty(sources);
                foreach (string id in sources)
                {
                    Assert.Equal(table.Split, builder.SplitFor(id));
                    set.Add(id);
                }
            }
        }
        Assert.Empty(splitSets["train"].Intersect(splitSets["dev"]));
        Assert.Empty(splitSets["train"].Intersect(splitSets["test"]));
        Assert.Empty(splitSets["dev"].Intersect(splitSets["test"]));
        // The split shares follow the fractions (1500 synsets: about 1200 / 150 / 150).
        var anchorSplits = builder.Anchors.GroupBy(a => builder.SplitFor(a.Id))
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.InRange(anchorSplits["train"], 1110, 1290);
        Assert.InRange(anchorSplits["dev"], 100, 200);
        Assert.InRange(anchorSplits["test"], 100, 200);
        // A different seed moves synsets between splits.
        var other = new WordNetDatasetBuilder(wordnet.Nouns, Small with { Seed = 1 });
        Assert.Contains(builder.Anchors.Take(200), a => other.SplitFor(a.Id) != builder.SplitFor(a.Id));
    }

    [Fact]
    public void Each_shape_has_its_columns_and_value_types()
    {
        var (builder, datasets) = Built();
        var byName = datasets.ToDictionary(d => d.Name);
        var expected = new Dictionary<string, string[]>
        {
            ["reverse_dictionary"] = ["anchor", "positive"],
            ["triplets"] = ["anchor", "positive", "negative"],
            ["scored_pairs"] = ["sentence1", "sentence2", "score"],
            ["binary_pairs"] = ["sentence1", "sentence2", "label"],
            ["classification"] = ["text", "label"],
            ["example_gloss"] = ["anchor", "positive"],
            ["reranking"] = ["query", "positive", "negative"],
        };
        foreach (var (name, columns) in expected)
            Assert.All(byName[name].Tables, t => Assert.Equal(columns, t.Columns));

        WordNetTable reverse = byName["reverse_dictionary"].Table("train.jsonl");
        WordNetSynset first = builder.Anchors.First(a => builder.SplitFor(a.Id) == "train");
        Assert.Equal(new object?[] { first.Definition, first.TermDocument }, reverse.Rows[0]);

        var triplets = byName["triplets"].Table("train.jsonl");
        for (int r = 0; r < triplets.Count; r++)
        {
            Assert.NotEqual(triplets.Rows[r][1], triplets.Rows[r][2]);
            Assert.Equal(2, triplets.SourceSynsets[r].Length);
        }

        var scores = byName["scored_pairs"].Tables.SelectMany(t => t.Rows).Select(r => (double)r[2]!).ToList();
        Assert.All(scores, s => Assert.InRange(s, 0.0, 1.0));
        Assert.True(scores.Max() > 0.85 && scores.Min() < 0.3, $"scores span {scores.Min()}..{scores.Max()}");

        var labels = byName["binary_pairs"].Table("train.jsonl").Rows.Select(r => (long)r[2]!).ToList();
        Assert.Equal(labels.Count(l => l == 1), builder.Anchors.Count(a => builder.SplitFor(a.Id) == "train"));
        Assert.Contains(0L, labels);

        var classes = byName["classification"].Tables.SelectMany(t => t.Rows).Select(r => (long)r[1]!).ToHashSet();
        Assert.All(classes, c => Assert.StartsWith("noun.", WordNetLexicographerFiles.NameOf((int)c)));
        Assert.True(classes.Count > 15);

        var examples = byName["example_gloss"].Table("train.jsonl");
        Assert.All(Enumerable.Range(0, examples.Count), r =>
            Assert.Contains((string)examples.Rows[r][0]!, wordnet.Nouns.Get(examples.SourceSynsets[r][0]).Examples));

        var reranking = byName["reranking"].Table("dev.jsonl");
        Assert.All(reranking.Rows, r =>
        {
            Assert.Single((object?[])r[1]!);
            Assert.NotEmpty((object?[])r[2]!);
            Assert.DoesNotContain(((object?[])r[1]!)[0], (object?[])r[2]!);
        });
    }

    [Fact]
    public void Hard_negatives_are_sisters_first_and_never_relatives()
    {
        var builder = new WordNetDatasetBuilder(wordnet.Nouns, new WordNetDatasetOptions { MaxSynsets = 10 });
        WordNetSynset dog = wordnet.Nouns.Get("dog.n.01");
        var parents = wordnet.Nouns.Hypernyms(dog).Select(p => p.Id).ToHashSet();
        var negatives = builder.HardNegatives(dog, 40);
        Assert.NotEmpty(negatives);
        Assert.Equal(negatives.Select(n => n.Level).Order(), negatives.Select(n => n.Level));
        Assert.All(negatives, n =>
        {
            Assert.Equal(builder.SplitFor(dog.Id), builder.SplitFor(n.Synset.Id));
            Assert.NotEqual(dog.Id, n.Synset.Id);
            Assert.DoesNotContain(n.Synset.Id, builder.Taxonomy.AncestorDistances(dog).Keys);
            Assert.DoesNotContain(dog.Id, builder.Taxonomy.AncestorDistances(n.Synset).Keys);
            if (n.Level == WordNetDatasetBuilder.SisterLevel)
                Assert.Contains(wordnet.Nouns.Hypernyms(n.Synset), p => parents.Contains(p.Id));
        });
    }

    [Fact]
    public void Information_retrieval_qrels_point_at_the_query_synsets_lemmas()
    {
        var ir = Built().Datasets.Single(d => d.Name == "ir");
        foreach (string split in new[] { "dev", "test" })
        {
            var queries = ir.Table($"{split}/queries.jsonl").Rows.ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
            var corpus = ir.Table($"{split}/corpus.jsonl").Rows.ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
            var qrels = ir.Table($"{split}/qrels.jsonl").Rows;
            Assert.Equal(queries.Count, qrels.Count);
            Assert.True(corpus.Count > queries.Count + 250, $"{corpus.Count} documents for {queries.Count} queries");
            Assert.Equal(corpus.Count, corpus.Values.Distinct().Count());
            foreach (object?[] qrel in qrels)
            {
                WordNetSynset synset = wordnet.Nouns.Get((string)qrel[0]!);
                Assert.Equal(synset.Definition, queries[(string)qrel[0]!]);
                Assert.Equal(synset.TermDocument, corpus[(string)qrel[1]!]);
            }
        }
    }

    [Fact]
    public void Writing_twice_gives_byte_identical_files_and_cards_with_row_counts()
    {
        string first = Path.Combine(root, "one"), second = Path.Combine(root, "two");
        var (builder, datasets) = Built();
        var files = WordNetDatasetWriter.Write(datasets, builder, first);
        var rebuilt = new WordNetDatasetBuilder(WordNetDatabase.Load(wordnet.Dict, ['n']), Small);
        WordNetDatasetWriter.Write(rebuilt.Build(), rebuilt, second);
        Assert.Contains("triplets/train.jsonl", files);
        Assert.Contains("ir/dev/qrels.jsonl", files);
        foreach (string file in files)
            Assert.Equal(File.ReadAllBytes(Path.Combine(first, file)), File.ReadAllBytes(Path.Combine(second, file)));

        foreach (WordNetGeneratedDataset d in datasets)
        {
            string card = File.ReadAllText(Path.Combine(first, d.Name, "README.md"));
            foreach (WordNetTable t in d.Tables)
            {
                Assert.Contains($"| {t.FileName} | {t.Count} |", card);
                Assert.Equal(t.Count, File.ReadLines(Path.Combine(first, d.Name, t.FileName)).Count());
            }
            Assert.Contains("Evaluators that fit:", card);
        }
        Assert.Contains("5 = noun.animal: ", File.ReadAllText(Path.Combine(first, "classification", "README.md")));
        var loaded = TabularDataset.Load(Path.Combine(first, "scored_pairs", "dev.jsonl"));
        Assert.Equal(TabularColumnKind.Float, loaded.GetKind("score"));
        Assert.StartsWith("This software and database",
            File.ReadAllText(Path.Combine(first, "WORDNET_LICENSE.txt")));
        var manifest = TabularDataset.Load(Path.Combine(first, "synsets.jsonl"));
        Assert.Equal(builder.Anchors.Count, manifest.Count);
    }
}
