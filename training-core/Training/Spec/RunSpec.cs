using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace StTrain.Core.Training.Spec;

/// <summary>
/// A declarative run: model, data, loss, evaluators, training arguments and hub options, read from one YAML file.
/// Parsing checks types and names field by field; <see cref="RunSpecValidator"/> then checks how the parts fit.
/// </summary>
public sealed partial record RunSpec
{
    public required string RunName { get; init; }
    public string ModelType { get; init; } = "SentenceTransformer";
    public required ModelSpec Model { get; init; }
    public required IReadOnlyList<DatasetSpec> Train { get; init; }
    public DatasetSpec? Eval { get; init; }
    public required LossSpec Loss { get; init; }

    /// <summary>
    /// Per-dataset losses for multi-dataset runs (dataset name → loss); others use <see cref="Loss"/>.
    /// </summary>
    public IReadOnlyDictionary<string, LossSpec> Losses { get; init; } = new Dictionary<string, LossSpec>();
    public IReadOnlyList<EvaluatorSpec> Evaluators { get; init; } = [];
    public TrainingArguments Training { get; init; } = new();
    public HubSpec Hub { get; init; } = new();

    /// <summary>
    /// The metric key (e.g. eval_dev_cosine_ndcg@10) the verdict compares; defaults as the validator says.
    /// </summary>
    public string? VerdictMetric { get; init; }

    /// <summary>The spec file, and the folder relative paths in it are resolved against.</summary>
    public string SourcePath { get; init; } = "";
    public string BaseDirectory { get; init; } = ".";

    public static readonly string[] ModelTypes = ["SentenceTransformer", "CrossEncoder", "SparseEncoder"];
    private static readonly string[] TopLevel =
        ["run_name", "model_type", "description", "model", "data", "loss", "losses", "evaluators", "training", "hub",
         "verdict_metric"];

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    public static partial Regex RunNamePattern();

    /// <summary>The output folder: training.output_dir, or runs/{run_name}/output under the workspace.</summary>
    public string OutputDir(string workspace) => Training.OutputDir is { } dir
        ? System.IO.Path.GetFullPath(System.IO.Path.Combine(workspace, dir))
        : System.IO.Path.Combine(workspace, "runs", RunName, "output");

    /// <summary>
    /// A path of the spec: relative paths are resolved against the spec's folder, and when nothing exists there,
    /// against the workspace root (so both `../../data/x.jsonl` and `data/x.jsonl` work for runs/NAME/spec.yaml).
    /// When neither exists the spec-relative path is returned, and the caller's error names it.
    /// </summary>
    public string Resolve(string path) => ResolvePath(path, BaseDirectory, WorkspaceRoot);

    /// <summary>
    /// The rule of <see cref="Resolve"/> for a spec in <paramref name="specDirectory"/> run in
    /// <paramref name="workspaceRoot"/>, for tools that check a spec before it is parsed (the MCP scaffold warnings).
    /// </summary>
    public static string ResolvePath(string path, string specDirectory, string workspaceRoot)
    {
        string besideSpec = System.IO.Path.GetFullPath(System.IO.Path.Combine(specDirectory, path));
        if (System.IO.Path.IsPathRooted(path) || File.Exists(besideSpec) || Directory.Exists(besideSpec)) return besideSpec;
        string inWorkspace = System.IO.Path.GetFullPath(System.IO.Path.Combine(workspaceRoot, path));
        return File.Exists(inWorkspace) || Directory.Exists(inWorkspace) ? inWorkspace : besideSpec;
    }

    /// <summary>The workspace root relative paths fall back to (ST_TRAIN_WORKSPACE, else the current directory).</summary>
    public string WorkspaceRoot { get; init; } = RunWorkspace.Current.Root;

    public static RunSpec Load(string path)
    {
        if (Directory.Exists(path))
        {
            string inside = System.IO.Path.Combine(path, "spec.yaml");
            throw new SpecException("spec", path, "this is a folder, not a spec file",
                File.Exists(inside)
                    ? $"give the spec file inside it: {inside}"
                    : "give the path of a run spec YAML file, e.g. runs/NAME/spec.yaml");
        }
        if (!File.Exists(path))
            throw new SpecException("spec", path, "the spec file does not exist",
                "give the path of a run spec YAML file");
        string yaml;
        try
        {
            yaml = StTrain.Core.Data.Utf8TextFile.ReadAllText(path);
        }
        catch (StTrain.Core.Data.DataFileException error)
        {
            throw new SpecException("spec", error.Line is { } line ? $"{path}:{line}" : path,
                error.Problem.TrimEnd('.'), error.Fix.TrimEnd('.'));
        }
        return Parse(yaml, path);
    }

    public static RunSpec Parse(string yaml, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException error)
        {
            // YamlDotNet's mark for a tab in the indentation often points at the start of the enclosing mapping (line
            // 1 for a tab on line 20), so the line is taken from the text instead.
            if (error.Message.Contains("tab", StringComparison.OrdinalIgnoreCase)
                && TabIndentedLine(yaml, error.Start.Line) is { } tabLine)
                throw new SpecException("spec", $"{file}:{tabLine}",
                    "the YAML does not parse: this line is indented with a tab character, and YAML allows only " +
                    "spaces in indentation",
                    "indent with spaces, not tabs (set your editor to insert spaces for YAML files)");
            throw new SpecException("spec", $"{file}:{error.Start.Line}", $"the YAML does not parse ({error.Message})",
                "fix the YAML syntax at that line (indentation, a missing ':' or an unclosed quote)");
        }
        catch (InvalidOperationException)
        {
            // The YAML reader gives up this way on some unterminated flow collections, without a position.
            throw new SpecException("spec", file, "the YAML does not parse (an unclosed '[' or '{' list or mapping)",
                "close every [ ... ] and { ... } on the line where it opens, or write the list one '- item' per line");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode)
            throw new SpecException("spec", file, "the file holds no YAML mapping",
                "start from a template in templates/");

        var root = new SpecNode(stream.Documents[0].RootNode, "", file);
        RejectUnknown(root, TopLevel);
        string baseDirectory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(file)) ?? ".";

        string runName = Required(root, "run_name").String();
        if (!RunNamePattern().IsMatch(runName))
            throw root["run_name"]!.Error($"'{runName}' is not a valid run name",
                "use letters, digits, '.', '_' and '-' only (at most 100 characters), starting with a letter or digit");

        string modelType = root["model_type"]?.String() ?? "SentenceTransformer";
        if (!ModelTypes.Contains(modelType))
            throw root["model_type"]!.Error($"'{modelType}' is not a model type",
                $"use one of {string.Join(", ", ModelTypes)}");

        var data = Required(root, "data");
        RejectUnknown(data, ["train", "eval"]);
        var losses = new Dictionary<string, LossSpec>(StringComparer.Ordinal);
        if (root["losses"] is { IsNull: false } lossMap)
            foreach (var (name, node) in lossMap.Entries) losses[name] = ParseLoss(node);

        return new RunSpec
        {
            RunName = runName,
            ModelType = modelType,
            Model = ParseModel(Required(root, "model")),
            Train = ParseTrain(Required(data, "train")),
            Eval = data["eval"] is { IsNull: false } eval ? ParseDataset(eval, "eval") : null,
            Loss = ParseLoss(Required(root, "loss")),
            Losses = losses,
            Evaluators = root["evaluators"] is { IsNull: false } evaluators
                ? evaluators.Items.Select(ParseEvaluator).ToList()
                : [],
            Training = root["training"] is { IsNull: false } training
                ? ParseTraining(training)
                : new TrainingArguments(),
            Hub = root["hub"] is { IsNull: false } hub ? ParseHub(hub) : new HubSpec(),
            VerdictMetric = root["verdict_metric"]?.String(),
            SourcePath = System.IO.Path.GetFullPath(file),
            BaseDirectory = baseDirectory,
        };
    }

    /// <summary>
    /// The 1-based number of the first line whose indentation holds a tab, preferring lines at or after
    /// <paramref name="fromLine"/> (the parser's mark comes before the tab, never after it); blank and comment lines
    /// are skipped. Null when no line is indented with a tab.
    /// </summary>
    internal static int? TabIndentedLine(string yaml, long fromLine)
    {
        var lines = yaml.Split('\n');
        int? first = null;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            int content = 0;
            while (content < line.Length && line[content] is ' ' or '\t') content++;
            if (content == line.Length || line[content] == '#' || line.IndexOf('\t', 0, content) < 0) continue;
            if (i + 1 >= fromLine) return i + 1;
            first ??= i + 1;
        }
        return first;
    }

    private static SpecNode Required(SpecNode parent, string key) =>
        parent[key] is { IsNull: false } node
            ? node
            : throw new SpecException(parent.Path.Length == 0 ? key : $"{parent.Path}.{key}",
                $"{parent.File}:{parent.Line}", "is missing", $"add '{key}:' (see the templates in templates/)");

    private static void RejectUnknown(SpecNode node, IReadOnlyList<string> known)
    {
        if (!node.IsMapping)
            throw node.Error("expected a mapping", $"write {node.Path} as 'key: value' lines");
        foreach (string key in node.Keys)
        {
            if (known.Contains(key)) continue;
            string? near = known.MinBy(k => Distance(k, key));
            string hint = near is not null && Distance(near, key) <= 3 ? $"did you mean '{near}'? " : "";
            throw node[key]!.Error("is not a known field",
                $"{hint}known fields here are: {string.Join(", ", known)}");
        }
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + substitution);
            }
        return d[a.Length, b.Length];
    }

    private static Dictionary<string, string> StringMap(SpecNode? node) =>
        node is null || node.IsNull
            ? new Dictionary<string, string>()
            : node.Entries.ToDictionary(e => e.Key, e => e.Value.Text, StringComparer.Ordinal);

    private static Dictionary<string, object?> ObjectMap(SpecNode? node) =>
        node is null || node.IsNull
            ? new Dictionary<string, object?>()
            : node.Entries.ToDictionary(e => e.Key, e => e.Value.ToObject(), StringComparer.Ordinal);

    private static ModelSpec ParseModel(SpecNode node)
    {
        RejectUnknown(node, ["id", "max_seq_length", "prompts", "default_prompt_name", "similarity_fn_name"]);
        return new ModelSpec
        {
            Id = Required(node, "id").String(),
            MaxSeqLength = node["max_seq_length"]?.Int(),
            Prompts = StringMap(node["prompts"]),
            DefaultPromptName = node["default_prompt_name"]?.String(),
            SimilarityFunction = node["similarity_fn_name"]?.String(),
        };
    }

    private static List<DatasetSpec> ParseTrain(SpecNode node)
    {
        // A single dataset has a `path`; several datasets are a mapping of name → dataset section.
        if (node["path"] is not null) return [ParseDataset(node, "train")];
        var datasets = node.Entries.Select(e => ParseDataset(e.Value, e.Key)).ToList();
        if (datasets.Count == 0)
            throw node.Error("names no dataset", "give data.train a 'path:' or a mapping of named datasets");
        return datasets;
    }

    private static DatasetSpec ParseDataset(SpecNode node, string name)
    {
        RejectUnknown(node, ["path", "columns", "rename", "max_rows"]);
        int? maxRows = node["max_rows"]?.Int();
        if (maxRows is < 1)
            throw node["max_rows"]!.Error("must be at least 1", "remove max_rows or give a positive cap");
        return new DatasetSpec
        {
            Name = name,
            Path = Required(node, "path").String(),
            Columns = node["columns"] is { IsNull: false } columns
                ? columns.Items.Select(c => c.String()).ToList()
                : null,
            Rename = StringMap(node["rename"]),
            MaxRows = maxRows,
            Location = $"{node.File}:{node.Line}",
            Field = node.Path,
        };
    }

    private static LossSpec ParseLoss(SpecNode node)
    {
        if (node.IsScalar)
            return new LossSpec { Name = node.String(), Location = $"{node.File}:{node.Line}", Field = node.Path };
        RejectUnknown(node, ["name", "params", "wrapper"]);
        return new LossSpec
        {
            Name = Required(node, "name").String(),
            Params = ObjectMap(node["params"]),
            Wrapper = node["wrapper"] is { IsNull: false } wrapper ? ParseLoss(wrapper) : null,
            Location = $"{node.File}:{node.Line}",
            Field = node.Path,
        };
    }

    private static EvaluatorSpec ParseEvaluator(SpecNode node)
    {
        RejectUnknown(node, ["type", "name", "data", "params", "max_rows"]);
        return new EvaluatorSpec
        {
            Type = Required(node, "type").String(),
            Name = node["name"]?.Text ?? "",
            Data = StringMap(node["data"]),
            Params = ObjectMap(node["params"]),
            MaxRows = node["max_rows"]?.Int(),
            Location = $"{node.File}:{node.Line}",
            Field = node.Path,
        };
    }

    private static HubSpec ParseHub(SpecNode node)
    {
        RejectUnknown(node, ["push", "repo_id", "private", "token_env", "endpoint", "token"]);
        if (node["token"] is not null)
            throw node["token"]!.Error("holds a token in the spec",
                "remove it; put the token in an environment variable " +
                "and name it with hub.token_env (default HF_TOKEN)");
        return new HubSpec
        {
            Push = node["push"]?.Bool() ?? false,
            RepoId = node["repo_id"]?.String(),
            Private = node["private"]?.Bool() ?? false,
            TokenEnv = node["token_env"]?.String() ?? "HF_TOKEN",
            Endpoint = node["endpoint"]?.String(),
        };
    }

    private static TrainingArguments ParseTraining(SpecNode node)
    {
        RejectUnknown(node, TrainingArguments.FieldNames);
        if (node["warmup_ratio"] is not null)
            throw node["warmup_ratio"]!.Error("is deprecated",
                $"use warmup_steps: {node["warmup_ratio"]!.Text} (a float below 1 is a fraction of the total steps)");

        var defaults = new TrainingArguments();
        string Choice(string key, string fallback, string[] allowed)
        {
            var value = node[key];
            if (value is null) return fallback;
            string text = value.String();
            return allowed.Contains(text)
                ? text
                : throw value.Error($"'{text}' is not allowed", $"use one of {string.Join(", ", allowed)}");
        }
        double Steps(string key, double fallback)
        {
            var value = node[key];
            if (value is null) return fallback;
            double steps = value.Double();
            if (steps <= 0 || (steps >= 1 && !value.LooksIntegral))
                throw value.Error($"{value.Text} is neither a whole number of steps nor a fraction in (0, 1)",
                    $"write {key} as a step count like 100 or a fraction of the run like 0.1");
            return steps;
        }
        int Positive(string key, int fallback)
        {
            int value = node[key]?.Int() ?? fallback;
            return value >= 1
                ? value
                : throw node[key]!.Error($"{value} is not positive", $"give {key} a value of 1 or more");
        }

        var evalStrategyNode = node["eval_strategy"] ?? node["evaluation_strategy"];
        string evalStrategy = evalStrategyNode is null ? defaults.EvalStrategy : evalStrategyNode.String();
        if (!TrainingArguments.Strategies.Contains(evalStrategy))
            throw evalStrategyNode!.Error($"'{evalStrategy}' is not allowed", "use one of no, steps, epoch");

        string? resume = node["resume_from_checkpoint"] is { IsNull: false } r
            ? (r.Text is "true" ? "latest" : r.Text is "false" ? null : r.Text)
            : null;
        double warmup = node["warmup_steps"] is { } w
            ? (w.Double() >= 0 ? w.Double() : throw w.Error("is negative", "use 0 or more"))
            : 0;
        if (warmup >= 1 && node["warmup_steps"] is { LooksIntegral: false } wf)
            throw wf.Error($"{wf.Text} is neither a step count nor a fraction below 1", "write e.g. 100 or 0.1");

        return new TrainingArguments
        {
            OutputDir = node["output_dir"]?.String(),
            NumTrainEpochs = node["num_train_epochs"]?.Double() ?? defaults.NumTrainEpochs,
            MaxSteps = node["max_steps"]?.Int() ?? -1,
            PerDeviceTrainBatchSize = Positive("per_device_train_batch_size", defaults.PerDeviceTrainBatchSize),
            PerDeviceEvalBatchSize = Positive("per_device_eval_batch_size", defaults.PerDeviceEvalBatchSize),
            LearningRate = node["learning_rate"]?.Double() ?? defaults.LearningRate,
            WeightDecay = node["weight_decay"]?.Double() ?? 0,
            AdamBeta1 = node["adam_beta1"]?.Double() ?? defaults.AdamBeta1,
            AdamBeta2 = node["adam_beta2"]?.Double() ?? defaults.AdamBeta2,
            AdamEpsilon = node["adam_epsilon"]?.Double() ?? defaults.AdamEpsilon,
            MaxGradNorm = node["max_grad_norm"]?.Double() ?? defaults.MaxGradNorm,
            LrSchedulerType = Choice("lr_scheduler_type", defaults.LrSchedulerType, TrainingArguments.Schedulers),
            LrSchedulerKwargs = ObjectMap(node["lr_scheduler_kwargs"]),
            WarmupSteps = warmup,
            GradientAccumulationSteps = Positive("gradient_accumulation_steps", 1),
            EvalStrategy = evalStrategy,
            EvalSteps = node["eval_steps"] is null ? null : Steps("eval_steps", 0),
            SaveStrategy = Choice("save_strategy", defaults.SaveStrategy, [.. TrainingArguments.Strategies, "best"]),
            SaveSteps = Steps("save_steps", defaults.SaveSteps),
            SaveTotalLimit = node["save_total_limit"]?.Int(),
            LoggingSteps = Steps("logging_steps", defaults.LoggingSteps),
            LoggingFirstStep = node["logging_first_step"]?.Bool() ?? false,
            LoadBestModelAtEnd = node["load_best_model_at_end"]?.Bool() ?? false,
            MetricForBestModel = node["metric_for_best_model"]?.String(),
            GreaterIsBetter = node["greater_is_better"]?.Bool(),
            Seed = node["seed"]?.Int() ?? defaults.Seed,
            DataSeed = node["data_seed"]?.Int(),
            BatchSampler = Choice("batch_sampler", defaults.BatchSampler, TrainingArguments.Samplers),
            MultiDatasetBatchSampler = Choice("multi_dataset_batch_sampler", defaults.MultiDatasetBatchSampler,
                ["proportional", "round_robin"]),
            DataloaderDropLast = node["dataloader_drop_last"]?.Bool() ?? false,
            ResumeFromCheckpoint = resume,
            EarlyStoppingPatience = node["early_stopping_patience"]?.Int(),
            EarlyStoppingThreshold = node["early_stopping_threshold"]?.Double() ?? 0,
            Bf16 = node["bf16"]?.Bool() ?? false,
            Fp16 = node["fp16"]?.Bool() ?? false,
            GradientCheckpointing = node["gradient_checkpointing"]?.Bool() ?? false,
            Prompts = StringMap(node["prompts"]),
        };
    }
}
