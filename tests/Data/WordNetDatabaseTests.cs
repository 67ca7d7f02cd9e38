using StTrain.Core.Data;
using Xunit;

namespace StTrain.Tests.Data;

public sealed class WordNetDatabaseTests
{
    private static readonly WordNetDatabase Mini = WordNetDatabase.Load(WordNetFixtures.MiniDict);

    [Fact]
    public void Dog_n_01_has_its_lemmas_gloss_lexfile_and_hypernyms()
    {
        WordNetSynset dog = Mini.Get("dog.n.01");
        Assert.Equal("02086723-n", dog.Id);
        Assert.Equal(2086723, dog.Offset);
        Assert.Equal('n', dog.Pos);
        Assert.Equal(5, dog.LexFileNumber);
        Assert.Equal("noun.animal", dog.LexFileName);
        Assert.Equal(["dog", "domestic_dog", "Canis_familiaris"], dog.Words.Select(w => w.Lemma));
        Assert.Equal("dog, domestic dog, Canis familiaris", dog.TermDocument);
        Assert.Equal("a member of the genus Canis (probably descended from the common wolf) that has been " +
                     "domesticated by man since prehistoric times; occurs in many breeds", dog.Definition);
        Assert.Equal(["the dog barked all night"], dog.Examples);
        Assert.Equal(23, dog.Pointers.Count);
        Assert.Equal(["canine.n.02", "domestic_animal.n.01"], Mini.Hypernyms(dog).Select(s => s.Name));
        Assert.Equal("member_holonym", dog.Pointers[2].Kind);
        Assert.Equal("part_meronym", dog.Pointers[^1].Kind);
        Assert.Same(dog, Mini.Lookup("Dog", 'n')[0]);
        Assert.Same(dog, Mini.Find("02086723-n"));
    }

    [Fact]
    public void Names_follow_the_index_sense_order()
    {
        // index.noun lists canine's synsets as 05314590 (the tooth, sense 1) then 02085998 (the animal).
        Assert.Equal("canine.n.02", Mini.Get("02085998-n").Name);
        Assert.Equal("entity.n.01", Mini.Get("00001740-n").Name);
        Assert.Equal("cat.n.01", Mini.Get("02124272-n").Name);
        Assert.Equal("3.1", Mini.Version);
        Assert.StartsWith("This software and database is being provided", Mini.LicenseText);
        Assert.Contains("WordNet 3.1 Copyright 2011 by Princeton University", Mini.LicenseText);
    }

    [Fact]
    public void Verb_frames_and_adjective_markers_and_satellites_are_parsed()
    {
        WordNetSynset bark = Mini.Get("bark.v.01");
        Assert.Equal("verb.communication", bark.LexFileName);
        Assert.Equal(1, bark.Words[0].LexId);
        Assert.Equal([(2, 0), (26, 0)], bark.VerbFrames);
        Assert.Equal("speak in an unfriendly tone", bark.Definition);
        Assert.Equal(["She barked into the dictaphone"], bark.Examples);

        WordNetSynset handy = Mini.Get("00019769-a");
        Assert.Equal('s', handy.Pos);
        Assert.Equal("handy.s.01", handy.Name);
        Assert.Equal("ready_to_hand", handy.Words[1].Lemma);
        Assert.Equal("p", handy.Words[1].Marker);
        Assert.Null(handy.Words[0].Marker);
        Assert.Equal("similar_to", handy.Pointers[0].Kind);
        Assert.Equal("00019169-a", handy.Pointers[0].TargetId);
        Assert.Equal("derivationally_related_form", handy.Pointers[1].Kind);
        Assert.Equal((1, 1), (handy.Pointers[1].SourceWord, handy.Pointers[1].TargetWord));
    }

    [Fact]
    public void Wu_Palmer_of_dog_and_cat_is_six_sevenths()
    {
        // Both chains meet at carnivore.n.01, whose longest path up is carnivore → placental → mammal → vertebrate →
        // chordate → animal → organism → living_thing → whole → object → physical_entity → entity: 11 edges, so its
        // depth in nodes is 12. dog → canine → carnivore and cat → feline → carnivore are 2 edges each:
        // 2·12 / (2 + 2 + 2·12) = 24/28.
        var taxonomy = new WordNetTaxonomy(Mini);
        WordNetSynset dog = Mini.Get("dog.n.01"), cat = Mini.Get("cat.n.01");
        Assert.Equal("carnivore.n.01", taxonomy.LowestCommonHypernym(dog, cat)!.Name);
        Assert.Equal(11, taxonomy.MaxDepth(Mini.Get("carnivore.n.01")));
        Assert.Equal(13, taxonomy.MaxDepth(dog));
        Assert.Equal(0, taxonomy.MaxDepth(Mini.Get("entity.n.01")));
        Assert.Equal(24.0 / 28.0, taxonomy.WuPalmer(dog, cat), 12);
        Assert.Equal(1.0, taxonomy.WuPalmer(dog, dog), 12);
        // dog and its hypernym canine: canine has depth 12 edges (13 nodes), dog is 1 edge below it: 26/27.
        Assert.Equal(26.0 / 27.0, taxonomy.WuPalmer(dog, Mini.Get("canine.n.02")), 12);
        Assert.Equal(2, taxonomy.AncestorDistances(dog)["02077948-n"]);
    }

    [Theory]
    [InlineData("a plain definition", "a plain definition", new string[0])]
    [InlineData("def; \"ex one\"; \"ex; two\"", "def", new[] { "ex one", "ex; two" })]
    [InlineData("first part; second part; \"A line\"-T.S.Eliot", "first part; second part", new[] { "A line" })]
    [InlineData("def; \"an example\"; (`x' is archaic)", "def; (`x' is archaic)", new[] { "an example" })]
    public void Gloss_splits_into_definition_and_examples(string gloss, string definition, string[] examples)
    {
        var (d, e) = WordNetGloss.Split(gloss);
        Assert.Equal(definition, d);
        Assert.Equal(examples, e);
    }

    [Fact]
    public void Damaged_lines_and_missing_files_name_file_line_and_fix()
    {
        string dir = Directory.CreateTempSubdirectory("st-train-wn-").FullName;
        try
        {
            foreach (string f in Directory.GetFiles(WordNetFixtures.MiniDict))
                File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
            string data = Path.Combine(dir, "data.noun");
            var lines = File.ReadAllLines(data).ToList();
            int dogLine = lines.FindIndex(l => l.StartsWith("02086723", StringComparison.Ordinal));
            lines[dogLine] = lines[dogLine].Replace(" 023 @ ", " 0x3 @ ");
            File.WriteAllLines(data, lines);
            var error = Assert.Throws<DataFileException>(() => WordNetDatabase.Load(dir, ['n']));
            Assert.Equal(dogLine + 1, error.Line);
            Assert.Contains("p_cnt", error.Message);
            Assert.Contains("Fix:", error.Message);

            File.Delete(Path.Combine(dir, "index.verb"));
            var missing = Assert.Throws<DataFileException>(() => WordNetDatabase.Load(dir, ['v']));
            Assert.EndsWith("index.verb", missing.FilePath);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Lexicographer_files_are_the_45_lexnames()
    {
        Assert.Equal(45, WordNetLexicographerFiles.Count);
        Assert.Equal("adj.all", WordNetLexicographerFiles.NameOf(0));
        Assert.Equal("noun.Tops", WordNetLexicographerFiles.NameOf(3));
        Assert.Equal("noun.time", WordNetLexicographerFiles.NameOf(28));
        Assert.Equal("verb.body", WordNetLexicographerFiles.NameOf(29));
        Assert.Equal("adj.ppl", WordNetLexicographerFiles.NameOf(44));
        Assert.Equal(18, WordNetLexicographerFiles.NumberOf("noun.person"));
    }
}
