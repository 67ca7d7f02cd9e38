using System.Text.Json;
using StTrain.Core.Data;
using StTrain.Core.Models;
using StTrain.Server.Mcp.Results;

namespace StTrain.Server.Commands;

/// <summary>
/// <c>st-train mine-hard-negatives --dataset PATH --model ID --out PATH [...]</c>: adds hard negatives to an
/// (anchor, positive) dataset with a SentenceTransformer, optionally rescoring the candidates with a
/// <see cref="CrossEncoder"/>, using <see cref="HardNegativeMiner"/>. Progress goes to stderr, the mining summary to
/// stdout.
/// </summary>
public static class MineHardNegativesCommand
{
    private const string Usage = """
        Usage: st-train mine-hard-negatives --dataset PATH --model ID_OR_PATH --out PATH [options]

        Embeds the anchors and the corpus (the positives plus --corpus) with the model, searches exactly, and writes
        the dataset with mined negatives (.jsonl, .json, .csv, .tsv or .parquet, by the extension of --out).

        Options (as sentence-transformers' mine_hard_negatives):
          --anchor-column NAME       default: first column
          --positive-column NAME     default: second column
          --corpus PATH              more candidate texts: a dataset file, or .txt with one text per line
          --corpus-column NAME       column of --corpus to use (default: "text" if present, else the first)
          --range-min N              skip the N best candidates (default 0)
          --range-max N              consider candidates up to rank N (default: derived)
          --max-score X              drop candidates scoring above X
          --min-score X              drop candidates scoring below X
          --absolute-margin X        drop candidates with score + X > positive score
          --relative-margin X        drop candidates with score > positive - |positive| * X
          --num-negatives N          negatives per anchor (default 3)
          --sampling-strategy S      top (default) or random
          --output-format F          triplet (default), n-tuple, labeled-pair or labeled-list
          --output-scores            add the scores (or put them in place of the labels)
          --include-positives        keep positives among the candidates (forces n-tuple)
          --cross-encoder ID_OR_PATH rescore the candidates and positives with this CrossEncoder (reranker) before
                                     the margin and score filters; as upstream, it is used only when
                                     --absolute-margin, --relative-margin or --max-score is set
          --batch-size N             encode batch size, and pairs per cross-encoder batch (default 32)
          --search-batch-size N      anchors per similarity chunk (default 16384)
          --query-prompt TEXT        prompt before each anchor; --query-prompt-name NAME uses a model prompt
          --corpus-prompt TEXT       prompt before each corpus text; --corpus-prompt-name NAME likewise
          --seed N                   seed of the random sampling strategy (default 0)
          --max-rows N               use only the first N rows of the dataset
          --summary-json PATH        also write the summary as JSON (what the MCP tool mine_hard_negatives reads)
        """;

    private static readonly string[] Options =
    [
        "dataset", "model", "out", "anchor-column", "positive-column", "corpus", "corpus-column", "range-min",
        "range-max", "max-score", "min-score", "absolute-margin", "relative-margin", "num-negatives",
        "sampling-strategy", "output-format", "batch-size", "search-batch-size", "query-prompt",
        "query-prompt-name", "corpus-prompt", "corpus-prompt-name", "seed", "max-rows", "summary-json",
        "cross-encoder",
    ];

    /// <summary>
    /// Runs the command; <paramref name="args"/> are the words after "mine-hard-negatives". Returns 0 on success,
    /// 1 when mining fails (bad data, model or options), 2 for a bad command line.
    /// </summary>
    public static int Run(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h"))
        {
            Console.Out.WriteLine(Usage);
            return 0;
        }
        try
        {
            var parsed = CommandLine.Parse(args, Options, ["output-scores", "include-positives"]);
            if (parsed.Positional.Count > 0)
                throw new UsageException($"Unexpected argument '{parsed.Positional[0]}'.");
            return Mine(parsed);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"st-train mine-hard-negatives: {e.Message}\nRun `st-train mine-hard-negatives " +
                                    "--help` for the options.");
            return 2;
        }
        catch (Exception e) when (e is DataFileException or ArgumentException or InvalidOperationException
            or IOException or UnauthorizedAccessException or KeyNotFoundException or InvalidDataException
            or NotSupportedException)
        {
            Console.Error.WriteLine($"st-train mine-hard-negatives: {e.Message}");
            return 1;
        }
    }

    private static int Mine(CommandLine args)
    {
        string datasetPath = args.Require("dataset", "the (anchor, positive) dataset file to mine");
        string modelId = args.Require("model", "a SentenceTransformer folder or id that embeds the texts");
        string output = args.Require("out", "the file to write the mined dataset to (.jsonl, .json, .csv, .tsv or .parquet)");
        if (FilePaths.OverwritesInput(datasetPath, "--dataset", output, "--out") is { } overwrite)
            throw new UsageException(overwrite);
        if (args.Get("corpus") is { } corpusFile
            && FilePaths.OverwritesInput(corpusFile, "--corpus", output, "--out") is { } overwriteCorpus)
            throw new UsageException(overwriteCorpus);
        if (Directory.Exists(output))
            throw new UsageException($"--out '{output}' is a folder; give a file path such as " +
                                     $"{Path.Combine(output, "mined.jsonl")}.");
        if (args.Get("summary-json") is { } summaryTarget
            && FilePaths.OutputProblem(summaryTarget, "--summary-json", ("--dataset", datasetPath),
                ("--corpus", args.Get("corpus")), ("--out", output)) is { } summaryProblem)
            throw new UsageException(summaryProblem);
        var defaults = new HardNegativeMiningOptions();
        var options = new HardNegativeMiningOptions
        {
            AnchorColumn = args.Get("anchor-column"),
            PositiveColumn = args.Get("positive-column"),
            RangeMin = args.GetInt("range-min", 0, 0),
            RangeMax = args.GetOptionalInt("range-max", 1),
            MaxScore = args.GetDouble("max-score"),
            MinScore = args.GetDouble("min-score"),
            AbsoluteMargin = args.GetDouble("absolute-margin"),
            RelativeMargin = args.GetDouble("relative-margin"),
            NumNegatives = args.GetInt("num-negatives", defaults.NumNegatives, 1),
            SamplingStrategy = args.Get("sampling-strategy") ?? defaults.SamplingStrategy,
            OutputFormat = args.Get("output-format") ?? defaults.OutputFormat,
            OutputScores = args.Has("output-scores"),
            IncludePositives = args.Has("include-positives"),
            BatchSize = args.GetInt("batch-size", defaults.BatchSize, 1),
            SearchBatchSize = args.GetInt("search-batch-size", defaults.SearchBatchSize, 1),
            Seed = args.GetInt("seed", 0, int.MinValue),
        };
        options.Validate();

        TabularDataset dataset = TabularDataset.Load(datasetPath);
        if (args.GetOptionalInt("max-rows", 1) is { } maxRows) dataset = dataset.Take(maxRows);
        IReadOnlyList<string>? corpus = args.Get("corpus") is { } corpusPath
            ? LoadCorpus(corpusPath, args.Get("corpus-column"))
            : null;

        static void Log(string line) => Console.Error.WriteLine(line);
        Log($"Loading model {modelId} ...");
        using var model = CommandModels.LoadSentenceTransformer(modelId);
        var queryOptions = new EncodeOptions
        {
            BatchSize = options.BatchSize, Normalize = true,
            Prompt = args.Get("query-prompt"), PromptName = args.Get("query-prompt-name"),
        };
        var corpusOptions = queryOptions with
        {
            Prompt = args.Get("corpus-prompt"), PromptName = args.Get("corpus-prompt-name"),
        };
        using var crossEncoder = args.Get("cross-encoder") is { } crossEncoderId
            ? LoadCrossEncoder(crossEncoderId, Log)
            : null;
        var result = HardNegativeMiner.Mine(dataset, texts => model.EncodeToTensor(texts, queryOptions), options,
            corpus, crossEncoder, texts => model.EncodeToTensor(texts, corpusOptions), Log);
        result.Dataset.Save(output);
        if (args.Get("summary-json") is { } summaryPath)
        {
            File.WriteAllText(summaryPath, JsonSerializer.Serialize(MiningSummary.From(result), MiningSummary.Json));
        }

        Console.Out.Write(result.Summary.Format());
        Console.Out.WriteLine($"Wrote {result.Dataset.Count} rows ({string.Join(", ", result.Dataset.ColumnNames)}) " +
                              $"to {Path.GetFullPath(output)}.");
        return 0;
    }

    private static CrossEncoder LoadCrossEncoder(string idOrPath, Action<string> log)
    {
        log($"Loading cross-encoder {idOrPath} ...");
        var crossEncoder = CrossEncoder.Load(idOrPath);
        foreach (string warning in crossEncoder.Warnings) log(warning);
        if (crossEncoder.NumLabels != 1)
        {
            int labels = crossEncoder.NumLabels;
            crossEncoder.Dispose();
            throw new ArgumentException(
                $"--cross-encoder {idOrPath} has {labels} labels, but rescoring needs one score per pair. Fix: give a " +
                "reranker with a single output (num_labels 1).");
        }
        return crossEncoder;
    }

    private static IReadOnlyList<string> LoadCorpus(string path, string? column)
    {
        if (Path.GetExtension(path).Equals(".txt", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(path))
                throw new DataFileException(path, null, "The corpus file does not exist.", "check the --corpus path.");
            return Utf8TextFile.ReadLines(path).Where(l => l.Trim().Length > 0).ToList();
        }
        TabularDataset corpus = TabularDataset.Load(path);
        string name = column ?? (corpus.HasColumn("text") ? "text" : corpus.ColumnNames[0]);
        return corpus.GetStrings(name);
    }
}
