using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using StTrain.Core.Data;
using StTrain.Server.Mcp.Results;
using StTrain.Skill;
using StTrain.Skill.Specs;

namespace StTrain.Server.Mcp.Tools;

/// <summary>Data preparation: hard-negative mining.</summary>
[McpServerToolType]
public sealed class DataTools(SkillServices skill, ILogger<DataTools> logger)
{
    private static readonly string[] Extensions = [".jsonl", ".json", ".csv", ".tsv", ".parquet"];

    /// <summary>mine_hard_negatives.</summary>
    [McpServerTool(Name = "mine_hard_negatives", Title = "Mine hard negatives", Destructive = false,
        Idempotent = true, OpenWorld = false, UseStructuredContent = true,
        OutputSchemaType = typeof(MineHardNegativesResult))]
    [Description("Runs `st-train mine-hard-negatives` in a child process and waits for it: embeds the anchors and "
                 + "positives of an (anchor, positive) dataset with a bi-encoder, searches exactly, and writes the "
                 + "dataset with mined negatives; with cross_encoder, a reranker rescores the candidates before the "
                 + "margin and max_score filters. Paths are relative to the workspace and must stay inside it, "
                 + "also where a symbolic link leads. "
                 + "Returns the output path, the row count and the score summary (positive, negative, difference). "
                 + "See dataset_formats, 'Hard-negative mining', for the options.")]
    public Task<CallToolResult> MineHardNegatives(
        [Description("The (anchor, positive) dataset, relative to the workspace (.jsonl, .json, .csv, .tsv or "
                     + ".parquet), e.g. data/wordnet/reverse_dictionary/train.jsonl.")]
        string dataset,
        [Description("Where to write the mined dataset, relative to the workspace; the extension picks the format, "
                     + "e.g. data/mined/train.jsonl.")]
        string output_path,
        [Description("The retriever that scores candidates: a bundled id, a Hugging Face cache id or a model "
                     + "folder inside the workspace (default sentence-transformers/all-MiniLM-L6-v2).")]
        string model = "sentence-transformers/all-MiniLM-L6-v2",
        [Description("Negatives per anchor (default 3, at least 1).")]
        int num_negatives = 3,
        [Description("Skip this many of the best candidates, likely unlabelled positives (default 0).")]
        int range_min = 0,
        [Description("Consider candidates up to this rank (default: derived from range_min and num_negatives).")]
        int? range_max = null,
        [Description("Drop a candidate when its score + this margin exceeds the positive's score.")]
        double? absolute_margin = null,
        [Description("Drop a candidate scoring above positive − |positive| × this margin (e.g. 0.05).")]
        double? relative_margin = null,
        [Description("Drop candidates scoring above this value.")]
        double? max_score = null,
        [Description("Drop candidates scoring below this value.")]
        double? min_score = null,
        [Description("top (the hardest in the window, default) or random (a sample of the window).")]
        string sampling_strategy = HardNegativeMiningOptions.Top,
        [Description("triplet (default), n-tuple, labeled-pair or labeled-list.")]
        string output_format = HardNegativeMiningOptions.Triplet,
        [Description("Add the retriever's scores (a scores column, or scores in place of the labels).")]
        bool output_scores = false,
        [Description("Column of the anchors (default: the first column).")]
        string? anchor_column = null,
        [Description("Column of the positives (default: the second column).")]
        string? positive_column = null,
        [Description("Mine only the first N rows of the dataset (default: all).")]
        int? max_rows = null,
        [Description("A CrossEncoder (reranker) folder relative to the workspace, e.g. models/reranker. It rescores "
                     + "the candidates and positives, so the margins and max_score apply to its scores; as in "
                     + "sentence-transformers it is used only when absolute_margin, relative_margin or max_score "
                     + "is set.")]
        string? cross_encoder = null,
        [Description("Extra corpus file (relative to the workspace) whose texts are candidates besides the "
                     + "positives, e.g. data/corpus.jsonl; its first column (or corpus_column) is read.")]
        string? corpus = null,
        [Description("Column of the corpus file to read (default: its first column).")]
        string? corpus_column = null,
        [Description("Name of a prompt saved with the model (config_sentence_transformers.json) to put before each "
                     + "anchor, e.g. query for models with a query prompt.")]
        string? query_prompt_name = null,
        [Description("Name of a saved prompt to put before each corpus text.")]
        string? corpus_prompt_name = null,
        [Description("Seed of the random sampling strategy (default 0).")]
        int? seed = null,
        [Description("Texts per encoding batch, and pairs per cross-encoder batch (default 32).")]
        int? batch_size = null,
        [Description("Keep the positives among the candidates (forces the n-tuple output format).")]
        bool include_positives = false,
        [Description("Give up after this many seconds (default 900, at most 3600).")]
        int timeout_seconds = 900,
        CancellationToken cancellationToken = default) => ToolResults.GuardAsync(async () =>
    {
        var workspace = skill.Workspace.Boundary;
        var datasetFull = workspace.RequireRelative("dataset", dataset);
        var outputFull = workspace.RequireRelative("output_path", output_path);
        var crossEncoderFull = cross_encoder is null ? null : workspace.RequireRelative("cross_encoder", cross_encoder);
        var corpusFull = corpus is null ? null : workspace.RequireRelative("corpus", corpus);
        if (corpusFull is not null && !File.Exists(corpusFull))
        {
            throw new SkillException($"corpus '{corpus}' does not exist in the workspace ({corpusFull}).");
        }

        if (corpusFull is not null && string.Equals(corpusFull, outputFull, StringComparison.Ordinal))
        {
            throw new SkillException("output_path is the corpus file itself; write the mined rows to a new file.");
        }

        if (batch_size is < 1)
        {
            throw new SkillException($"batch_size must be at least 1 (got {batch_size}).");
        }
        // A model folder inside the workspace may still hold links that lead out (a copied cache snapshot).
        void RefuseOutsideLinks(string argument, string given, string folder)
        {
            if (workspace.OutsideLinks(argument, given, folder, SpecPathGuard.ModelLinkFix) is { Count: > 0 } links)
            {
                throw new SkillException(string.Join('\n', links));
            }
        }

        if (crossEncoderFull is not null)
        {
            RefuseOutsideLinks("cross_encoder", cross_encoder!, crossEncoderFull);
        }

        if (crossEncoderFull is not null && !File.Exists(Path.Combine(crossEncoderFull, "config.json")))
        {
            throw new SkillException($"cross_encoder '{cross_encoder}' is not a model folder in the workspace (no "
                                     + $"{Path.Combine(crossEncoderFull, "config.json")}). Give the folder a "
                                     + "CrossEncoder was saved to, relative to the workspace.");
        }

        if (!File.Exists(datasetFull))
        {
            throw new SkillException($"dataset '{dataset}' does not exist in the workspace ({datasetFull}). Build "
                                     + "data with `./st-train data wordnet --out data/wordnet` or give an existing "
                                     + "file.");
        }

        if (!Extensions.Contains(Path.GetExtension(outputFull).ToLowerInvariant()))
        {
            throw new SkillException($"output_path '{output_path}' must end in {string.Join(", ", Extensions)}: "
                                     + "the extension picks the file format.");
        }

        if (string.Equals(datasetFull, outputFull, StringComparison.Ordinal))
        {
            throw new SkillException("output_path is the dataset itself; write the mined rows to a new file.");
        }

        if (string.IsNullOrWhiteSpace(model))
        {
            throw new SkillException(
                "model is empty; give a bundled id such as sentence-transformers/all-MiniLM-L6-v2.");
        }

        // A bundled or Hugging Face cache id is not a path; a folder must lie inside the workspace, as for model.id.
        var modelFolder = workspace.ModelPath(model) is { } modelFull
            ? workspace.Require("model", model, modelFull,
                "Give a bundled id, a Hugging Face cache id, or a model folder inside the workspace relative to it, "
                + "e.g. models/retriever (copy the model in first; a symbolic link must point inside too).")
            : null;
        if (modelFolder is not null)
        {
            RefuseOutsideLinks("model", model, modelFolder);
        }

        var modelArgument = modelFolder ?? model;

        var limit = ToolResults.TimeLimit(timeout_seconds);

        if (range_max is { } upper && upper <= range_min)
        {
            throw new SkillException(
                $"range_max ({upper}) must be greater than range_min ({range_min}): the window would be empty.");
        }

        if (max_rows is < 1)
        {
            throw new SkillException($"max_rows must be at least 1 (got {max_rows}); omit it to mine every row.");
        }

        try
        {
            new HardNegativeMiningOptions
            {
                NumNegatives = num_negatives, RangeMin = range_min, RangeMax = range_max,
                AbsoluteMargin = absolute_margin, RelativeMargin = relative_margin, MaxScore = max_score,
                MinScore = min_score, SamplingStrategy = sampling_strategy, OutputFormat = output_format,
            }.Validate();
        }
        catch (ArgumentException invalid)
        {
            throw new SkillException(invalid.Message);
        }

        var stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture);
        var logPath = workspace.RequireRelative("the log", $"logs/mine-hard-negatives-{stamp}.log");
        var summaryPath = workspace.RequireRelative("the summary", $"logs/mine-hard-negatives-{stamp}.summary.json");
        Directory.CreateDirectory(Path.GetDirectoryName(outputFull)!);
        var arguments = new List<string>
        {
            "mine-hard-negatives", "--dataset", datasetFull, "--model", modelArgument, "--out", outputFull,
            "--num-negatives", Text(num_negatives), "--range-min", Text(range_min),
            "--sampling-strategy", sampling_strategy, "--output-format", output_format,
            "--summary-json", summaryPath,
        };
        AddOption(arguments, "range-max", range_max);
        AddOption(arguments, "absolute-margin", absolute_margin);
        AddOption(arguments, "relative-margin", relative_margin);
        AddOption(arguments, "max-score", max_score);
        AddOption(arguments, "min-score", min_score);
        AddOption(arguments, "max-rows", max_rows);
        AddOption(arguments, "anchor-column", anchor_column);
        AddOption(arguments, "positive-column", positive_column);
        AddOption(arguments, "cross-encoder", crossEncoderFull);
        AddOption(arguments, "corpus", corpusFull);
        AddOption(arguments, "corpus-column", corpus_column);
        AddOption(arguments, "query-prompt-name", query_prompt_name);
        AddOption(arguments, "corpus-prompt-name", corpus_prompt_name);
        AddOption(arguments, "seed", seed);
        AddOption(arguments, "batch-size", batch_size);
        if (output_scores)
        {
            arguments.Add("--output-scores");
        }

        if (include_positives)
        {
            arguments.Add("--include-positives");
        }

        var info = StTrainCommand.StartInfo(skill.Workspace.Root, skill.Paths.ContentRoot, [.. arguments]);
        logger.LogInformation("mine_hard_negatives: {Command}", StTrainCommand.Describe(info));
        var outcome = await ChildCommand.RunAsync(
            info, logPath, limit, cancellationToken);
        var logDisplay = skill.Workspace.Display(logPath);
        if (outcome.ExitCode != 0 || !File.Exists(summaryPath))
        {
            throw new SkillException((outcome.TimedOut
                                         ? $"Mining stopped after {timeout_seconds} s; mine fewer rows (max_rows) or "
                                           + "raise timeout_seconds."
                                         : $"Mining failed (exit code {outcome.ExitCode}).")
                                     + $" Log: {logDisplay}. Last lines:\n" + string.Join('\n', outcome.Tail));
        }

        var summary = JsonSerializer.Deserialize<MiningSummary>(File.ReadAllText(summaryPath), MiningSummary.Json)
                      ?? throw new SkillException($"The mining summary {summaryPath} is empty.");
        var result = new MineHardNegativesResult(skill.Workspace.Display(outputFull), summary.Rows, summary.Columns,
            summary, Math.Round(outcome.Duration.TotalSeconds, 1), logDisplay);
        var text = new StringBuilder();
        text.AppendLine($"Mined {summary.Rows} rows ({string.Join(", ", summary.Columns)}) into {result.OutputPath} "
                        + $"from {summary.UniqueQueries} queries and a corpus of {summary.CorpusSize} texts "
                        + $"(range_max {summary.RangeMax}, {summary.OutputFormat}).");
        text.AppendLine($"Scores: positive mean {Text(summary.Positive.Mean)}, negative mean "
                        + $"{Text(summary.Negative.Mean)}, difference mean {Text(summary.Difference.Mean)}.");
        if (summary.MaximumPossibleRows > summary.Rows)
        {
            text.AppendLine($"{summary.MaximumPossibleRows - summary.Rows} of {summary.MaximumPossibleRows} possible "
                            + "rows lack enough valid negatives: widen range_max or loosen the margins.");
        }

        foreach (var note in summary.Notes)
        {
            text.AppendLine(note);
        }

        text.Append($"Use it in a spec as data.train.path: ../../{result.OutputPath}");
        return ToolResults.Create(result, text.ToString());
    });

    private static void AddOption(List<string> arguments, string name, object? value)
    {
        if (value is null)
        {
            return;
        }

        arguments.Add("--" + name);
        arguments.Add(value is IFormattable formattable
            ? formattable.ToString(null, CultureInfo.InvariantCulture)
            : value.ToString()!);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(double? value) => value?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "n/a";
}
