using System.Globalization;
using System.Text;

namespace StTrain.Core.Data;

/// <summary>
/// Writes a WordNet build to disk: one folder per dataset with its JSONL files and a README.md card, a top-level
/// README.md, the WordNet license, and synsets.jsonl (every sampled synset with its split). Contains no timestamps,
/// so the same build writes byte-identical files.
/// </summary>
public static class WordNetDatasetWriter
{
    /// <summary>Writes everything under <paramref name="outputDirectory"/>; returns the files written
    /// (relative).</summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<WordNetGeneratedDataset> datasets,
        WordNetDatasetBuilder builder, string outputDirectory)
    {
        Directory.CreateDirectory(outputDirectory);
        var written = new List<string>();
        foreach (WordNetGeneratedDataset dataset in datasets)
        {
            foreach (WordNetTable table in dataset.Tables)
            {
                string relative = Path.Combine(dataset.Name, table.FileName);
                WriteJsonLines(Path.Combine(outputDirectory, relative), table.Columns, table.Rows);
                written.Add(relative);
            }
            string card = Path.Combine(dataset.Name, "README.md");
            WriteText(Path.Combine(outputDirectory, card), Card(dataset, builder));
            written.Add(card);
        }
        WriteSynsets(builder, Path.Combine(outputDirectory, "synsets.jsonl"));
        written.Add("synsets.jsonl");
        WriteText(Path.Combine(outputDirectory, "WORDNET_LICENSE.txt"), builder.Taxonomy.Database.LicenseText);
        written.Add("WORDNET_LICENSE.txt");
        WriteText(Path.Combine(outputDirectory, "README.md"), Overview(datasets, builder));
        written.Add("README.md");
        return written;
    }

    private static void WriteSynsets(WordNetDatasetBuilder builder, string path) =>
        WriteJsonLines(path, ["id", "name", "split", "lexname"], builder.Anchors.Select(s =>
            (IReadOnlyList<object?>)new object?[] { s.Id, s.Name, builder.SplitFor(s.Id), s.LexFileName }));

    /// <summary>
    /// Writes a JSONL file through a temporary one, so <paramref name="path"/> never holds half a file.
    /// </summary>
    private static void WriteJsonLines(string path, IReadOnlyList<string> columns,
        IEnumerable<IReadOnlyList<object?>> rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = path + ".tmp";
        using (var stream = File.Create(temp))
            TabularFileWriter.WriteJsonLines(stream, columns, rows);
        File.Move(temp, path, overwrite: true);
    }

    private static void WriteText(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.ReplaceLineEndings("\n"), new UTF8Encoding(false));
    }

    private static string Card(WordNetGeneratedDataset dataset, WordNetDatasetBuilder builder)
    {
        var text = new StringBuilder();
        text.Append("# ").Append(dataset.Title).Append("\n\n");
        text.Append(Source(builder)).Append("\n\n");
        text.Append(dataset.Description).Append("\n\n");
        text.Append("| file | rows |\n|---|---:|\n");
        foreach (WordNetTable table in dataset.Tables)
            text.Append("| ").Append(table.FileName).Append(" | ")
                .Append(table.Count.ToString(CultureInfo.InvariantCulture)).Append(" |\n");
        text.Append("\nColumns:\n\n");
        foreach (var (column, meaning) in dataset.ColumnNotes)
            text.Append("- `").Append(column).Append("`: ").Append(meaning).Append('\n');
        text.Append('\n');
        if (dataset.Losses.Count > 0)
            text.Append("Losses that fit: ").Append(string.Join(", ", dataset.Losses)).Append(".\n\n");
        text.Append("Evaluators that fit: ").Append(string.Join(", ", dataset.Evaluators)).Append(".\n\n");
        foreach (string note in dataset.Notes) text.Append(note).Append("\n\n");
        text.Append(SplitRule(builder)).Append('\n');
        return text.ToString();
    }

    private static string Overview(IReadOnlyList<WordNetGeneratedDataset> datasets, WordNetDatasetBuilder builder)
    {
        WordNetDatasetOptions o = builder.Options;
        var text = new StringBuilder();
        text.Append("# WordNet datasets for sentence-transformers training\n\n");
        text.Append(Source(builder)).Append("\n\n");
        text.Append("| dataset | files (rows) |\n|---|---|\n");
        foreach (WordNetGeneratedDataset d in datasets)
        {
            text.Append("| [").Append(d.Name).Append("](").Append(d.Name).Append("/README.md) | ")
                .Append(string.Join(", ", d.Tables.Select(t =>
                    $"{t.FileName} ({t.Count.ToString(CultureInfo.InvariantCulture)})")))
                .Append(" |\n");
        }
        text.Append('\n');
        text.Append(CultureInfo.InvariantCulture,
            $"Options: parts of speech {string.Join(",", o.PartsOfSpeech)}; {builder.Anchors.Count} of " +
            $"{builder.EligibleCount} synsets (max_synsets {o.MaxSynsets}); seed {o.Seed}; fractions " +
            $"train {o.TrainFraction}, dev {o.DevFraction}, test {1 - o.TrainFraction - o.DevFraction:0.###}; " +
            $"triplet_negatives {o.TripletNegatives}; binary_negatives {o.BinaryNegatives}; scored_pairs_per_synset " +
            $"{o.ScoredPairsPerSynset}; max_examples_per_synset {o.MaxExamplesPerSynset}; max_queries " +
            $"{o.MaxQueries}; max_distractors {o.MaxDistractors}; reranking_negatives {o.RerankingNegatives}.\n\n");
        text.Append("synsets.jsonl lists every synset that has rows, with its split.\n\n");
        text.Append(SplitRule(builder)).Append('\n');
        return text.ToString();
    }

    private static string Source(WordNetDatasetBuilder builder)
    {
        WordNetDatabase db = builder.Taxonomy.Database;
        return $"Built by `st-train data wordnet` from WordNet {db.Version} (Princeton University), whose license " +
               "is in WORDNET_LICENSE.txt at the top of this output.";
    }

    private static string SplitRule(WordNetDatasetBuilder builder)
    {
        string train = builder.Options.TrainFraction.ToString("0.###", CultureInfo.InvariantCulture);
        string dev = builder.Options.DevFraction.ToString("0.###", CultureInfo.InvariantCulture);
        return "Splits are disjoint by synset: each synset goes to train, dev or test by a hash of its id and the " +
               $"seed ({train} / {dev} / rest), and every synset whose text appears in a row belongs to that row's " +
               "split. Identical texts of different synsets (e.g. two senses with the same lemmas) can still occur " +
               "in two splits.";
    }
}
