using StTrain.Core.Evaluation;
using StTrain.Core.Losses;
using StTrain.Core.Models;
using StTrain.Core.Training.Spec;

namespace StTrain.Core.Training;

/// <summary>
/// Checks how the parts of a run spec fit together, reading the loss and evaluator registries' metadata. Static
/// checks need no files; data checks compare each training dataset with its loss.
/// </summary>
public static class RunSpecValidator
{
    private const string NoDuplicates = "no_duplicates";

    public static IReadOnlyList<SpecError> ValidateStatic(RunSpec spec)
    {
        var errors = new List<SpecError>();
        if (RunFolderMismatch(spec, spec.WorkspaceRoot) is { } mismatch) errors.Add(mismatch);
        var t = spec.Training;
        void Add(string field, string problem, string fix) => errors.Add(new SpecError(field, spec.SourcePath, problem, fix));
        if (t.Bf16 && t.Fp16)
            Add("training.fp16", "bf16 and fp16 are both true, but a run has one compute precision",
                "keep bf16: true and remove fp16 (this trainer does not apply fp16)");
        void AddParameterProblems(string field, LossSpec loss, LossInfo info)
        {
            foreach (string problem in info.ValidateParameters(new LossParameters(loss.Params, loss.Name)))
            {
                var (text, fix) = SplitFix(problem);
                Add(field, text, fix ?? $"see {loss.Name} in references/losses_sentence_transformer.md");
            }
        }

        foreach (var loss in AllLosses(spec))
        {
            if (!LossRegistry.TryGet(loss.Name, out var info))
            {
                Add($"{loss.Field}.name", $"'{loss.Name}' is not a registered loss",
                    $"use one of: {string.Join(", ", LossRegistry.Names)}");
                continue;
            }
            AddParameterProblems($"{loss.Field}.params", loss, info);
            if (info.ModelType != spec.ModelType)
                Add($"{loss.Field}.name", $"{loss.Name} trains a {info.ModelType}, but model_type is {spec.ModelType}",
                    LossesFor(spec.ModelType) is { Length: > 0 } names
                        ? $"use a {spec.ModelType} loss: {names}"
                        : $"this build trains no {spec.ModelType} yet (README, Limitations); use model_type SentenceTransformer");
            if (info.IsWrapper)
                Add($"{loss.Field}.name", $"{loss.Name} wraps another loss",
                    $"put it under {loss.Field}.wrapper and name the inner loss in {loss.Field}.name");
            if (info.RequiresNoDuplicatesSampler && t.BatchSampler != NoDuplicates)
                Add("training.batch_sampler", $"{loss.Name} uses in-batch negatives but batch_sampler is '{t.BatchSampler}'",
                    "set training.batch_sampler: no_duplicates, so a duplicate text is never scored as its own negative");
            if (info.IncompatibleWithGradientCheckpointing && t.GradientCheckpointing)
                Add("training.gradient_checkpointing", $"{loss.Name} caches embeddings and re-runs the model itself, " +
                    "which gradient checkpointing breaks",
                    $"set gradient_checkpointing: false (the cached loss already saves memory), or use the non-cached loss");
            if (loss.Wrapper is { } wrapper)
            {
                if (!LossRegistry.TryGet(wrapper.Name, out var wrapperInfo))
                    Add($"{loss.Field}.wrapper.name", $"'{wrapper.Name}' is not a registered loss",
                        $"use one of the wrappers: {Wrappers()}");
                else if (!wrapperInfo.IsWrapper)
                    Add($"{loss.Field}.wrapper.name", $"{wrapper.Name} is not a wrapper loss",
                        $"use one of: {Wrappers()}");
                else
                    AddParameterProblems($"{loss.Field}.wrapper.params", wrapper, wrapperInfo);
            }
        }

        // The metric keys of evaluators without similarity_fn_names follow the model's similarity function. Before
        // the model loads, only the spec's value is known; a model whose own config says otherwise is announced
        // with cosine keys here and corrected by RunExecutor once loaded.
        string modelSimilarity = SimilarityFunctions.Cosine;
        if (spec.Model.SimilarityFunction is { } declared)
        {
            if (SimilarityFunctions.IsKnown(declared)) modelSimilarity = SimilarityFunctions.Canonical(declared);
            else
                Add("model.similarity_fn_name", $"'{declared}' is not a similarity function",
                    $"use one of: {string.Join(", ", SimilarityFunctions.Names)}");
        }

        var metricKeys = new List<string>();
        foreach (var evaluator in spec.Evaluators)
        {
            if (!EvaluatorRegistry.TryGet(evaluator.Type, out var info))
            {
                errors.Add(new SpecError($"{evaluator.Field}.type", evaluator.Location,
                    $"'{evaluator.Type}' is not a registered evaluator",
                    $"use one of: {string.Join(", ", EvaluatorRegistry.Names(spec.ModelType))}"));
                continue;
            }
            // The same checks EvaluatorRegistry.Create makes, here so that they fail before any model loads.
            void AddEvaluator(string field, string problem, string fix) =>
                errors.Add(new SpecError($"{evaluator.Field}.{field}", evaluator.Location, problem, fix));
            // Roles can be alternatives (InformationRetrievalEvaluator: queries + corpus + qrels, or pairs), so the
            // registry's own checks decide; their messages carry the fix.
            foreach (var finding in info.RoleFindings(evaluator.Data.Keys.ToList()))
            {
                var (text, fix) = SplitFix(finding.Message);
                AddEvaluator(finding.Field, text, fix ?? $"see {evaluator.Type}'s data roles");
            }
            var parameterProblems = info.ParameterFindings(new EvaluatorParameters(evaluator.Params));
            foreach (var finding in parameterProblems)
            {
                var (text, fix) = SplitFix(finding.Message);
                AddEvaluator(finding.Field, text, fix ?? $"see {evaluator.Type}'s parameters");
            }
            // MetricKeys re-validates the parameters; skip it when they are already reported as wrong.
            if (parameterProblems.Count > 0) continue;
            try
            {
                // Building the metric keys builds the evaluator on stand-in data, which reads every parameter.
                metricKeys.AddRange(info.MetricKeys(evaluator, modelSimilarity).Select(k => "eval_" + k));
            }
            catch (Exception error) when (error is ArgumentException or SpecException or FormatException)
            {
                var (text, fix) = SplitFix(error.Message);
                AddEvaluator("params", text,
                    fix ?? $"see {evaluator.Type} in references/evaluators_sentence_transformer.md");
            }
        }
        if (spec.Eval is not null) metricKeys.Add("eval_loss");
        if (spec.Evaluators.Count == 0 && spec.Eval is null)
            Add("evaluators", "the spec has no evaluator and no eval dataset, so there is no baseline to compare with",
                "add an evaluator (see references/evaluators_sentence_transformer.md) or data.eval for eval_loss");

        string? target = t.MetricForBestModel ?? spec.VerdictMetric;
        if (target is not null && metricKeys.Count > 0)
        {
            string key = target.StartsWith("eval_", StringComparison.Ordinal) ? target : "eval_" + target;
            string field = t.MetricForBestModel is not null ? "training.metric_for_best_model" : "verdict_metric";
            if (!metricKeys.Contains(key))
                Add(field, $"'{target}' is not produced by the evaluators",
                    $"use one of the keys they produce: {string.Join(", ", metricKeys.Take(30))}");
        }
        if (spec.VerdictMetric is not null && t.MetricForBestModel is not null && metricKeys.Count > 0)
        {
            string key = spec.VerdictMetric.StartsWith("eval_", StringComparison.Ordinal)
                ? spec.VerdictMetric
                : "eval_" + spec.VerdictMetric;
            if (!metricKeys.Contains(key))
                Add("verdict_metric", $"'{spec.VerdictMetric}' is not produced by the evaluators",
                    $"use one of: {string.Join(", ", metricKeys.Take(30))}");
        }

        if (t.LoadBestModelAtEnd)
        {
            if (t.EvalStrategy == "no")
                Add("training.eval_strategy", "load_best_model_at_end needs evaluations during training",
                    "set eval_strategy: steps (with eval_steps) or epoch");
            else if (t.SaveStrategy != "best" && t.SaveStrategy != t.EvalStrategy)
                Add("training.save_strategy", $"save_strategy '{t.SaveStrategy}' differs from eval_strategy '{t.EvalStrategy}' " +
                    "with load_best_model_at_end", $"set save_strategy: {t.EvalStrategy}");
            else if (t.EvalStrategy == "steps" && t.SaveStrategy == "steps")
            {
                double eval = t.EvalSteps ?? t.LoggingSteps;
                bool bothFractions = eval < 1 && t.SaveSteps < 1;
                bool bothCounts = eval >= 1 && t.SaveSteps >= 1;
                bool multiple = bothCounts
                    ? Math.Abs(t.SaveSteps % eval) < 1e-9
                    : bothFractions && Math.Abs(Math.Round(t.SaveSteps / eval) - t.SaveSteps / eval) < 1e-9;
                if (!multiple)
                    Add("training.save_steps", $"save_steps {t.SaveSteps} is not a multiple of eval_steps {eval}, " +
                        "so the best evaluation may have no checkpoint to load",
                        $"set save_steps to a multiple of eval_steps, e.g. save_steps: {eval}");
            }
        }
        if (t.EvalStrategy == "steps" && t.EvalSteps is null && t.LoggingSteps >= 1 && t.LoggingSteps > 10_000)
            Add("training.eval_steps", "eval_strategy is steps but eval_steps is not set", "set eval_steps, e.g. 0.25");
        if (t.EarlyStoppingPatience is not null && t.EvalStrategy == "no")
            Add("training.early_stopping_patience", "early stopping needs evaluations during training",
                "set eval_strategy: steps (with eval_steps) or epoch");
        if (t.EarlyStoppingPatience is < 1)
            Add("training.early_stopping_patience", "must be at least 1", "use e.g. early_stopping_patience: 3");
        if (t.BatchSampler == "group_by_label" && t.PerDeviceTrainBatchSize % 2 != 0)
            Add("training.per_device_train_batch_size",
                "batch_sampler group_by_label takes rows in same-label pairs, so the batch size " +
                $"{t.PerDeviceTrainBatchSize} must be even",
                $"set per_device_train_batch_size: {t.PerDeviceTrainBatchSize + 1}");
        foreach (var (problem, fix) in
                 LearningRateSchedule.CheckKwargs(t.LrSchedulerType, t.LrSchedulerKwargs, t.LearningRate))
            Add("training.lr_scheduler_kwargs", problem, fix);
        if (t.MaxSteps <= 0 && t.NumTrainEpochs <= 0)
            Add("training.num_train_epochs", "the run has no steps", "set num_train_epochs > 0 or max_steps > 0");
        if (t.LearningRate <= 0 || t.LearningRate > 1)
            Add("training.learning_rate", $"{t.LearningRate} is outside (0, 1]", "use e.g. 2e-5 for fine-tuning a transformer");
        if (spec.Model.MaxSeqLength is < 1)
            Add("model.max_seq_length", $"{spec.Model.MaxSeqLength} is not a token count",
                "use a positive number such as 256, or leave it out to use the model's own");
        foreach (var (dataset, _) in spec.Losses)
            if (!spec.Train.Any(d => d.Name == dataset))
                Add($"losses.{dataset}", $"no training dataset is named '{dataset}'",
                    $"name one of: {string.Join(", ", spec.Train.Select(d => d.Name))}");
        return errors;
    }

    /// <summary>
    /// A spec at {workspace}/runs/{folder}/spec.yaml is the spec of run {folder}: the trainer writes runs/{run_name}/
    /// and logs/{run_name}.log, so a different run_name would put the run's result, metrics and model in another
    /// folder than the one the spec sits in (and the MCP server reads). Null when they match or when the spec lies
    /// anywhere else (then any run_name is fine).
    /// </summary>
    public static SpecError? RunFolderMismatch(RunSpec spec, string workspaceRoot)
    {
        if (string.IsNullOrEmpty(spec.SourcePath)) return null;
        string specFile = Path.GetFullPath(spec.SourcePath);
        string? folder = Path.GetDirectoryName(specFile);
        string runs = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(workspaceRoot, "runs")));
        if (Path.GetFileName(specFile) != "spec.yaml" || folder is null
            || !string.Equals(Path.GetDirectoryName(folder), runs, StringComparison.Ordinal))
            return null;
        string name = Path.GetFileName(folder);
        return name == spec.RunName
            ? null
            : new SpecError("run_name", spec.SourcePath,
                $"run_name is '{spec.RunName}' but the spec is runs/{name}/spec.yaml, so the run would write its " +
                $"result, metrics and model to runs/{spec.RunName}/ instead of the folder it sits in",
                $"rename one to match: set run_name: {name}, or move the spec to runs/{spec.RunName}/spec.yaml");
    }

    /// <summary>Checks each training dataset's shape (input column count, label kind) against its loss.</summary>
    public static IReadOnlyList<SpecError> ValidateData(RunSpec spec, IReadOnlyList<PreparedDataset> datasets)
    {
        var errors = new List<SpecError>();
        for (int i = 0; i < datasets.Count; i++)
        {
            var data = datasets[i];
            var dataSpec = spec.Train[i];
            if (data.FirstNonText() is { } bad)
                errors.Add(new SpecError($"{dataSpec.Field}.columns", dataSpec.Location,
                    $"{data.SourcePath}: row {bad.Row + 1}, input column '{bad.Column}' is {bad.Value}, not text",
                    "fill or drop that row; input columns hold text, and a numeric target belongs in 'label' or 'score'"));
            var loss = spec.Losses.GetValueOrDefault(data.Name, spec.Loss);
            if (!LossRegistry.TryGet(loss.Name, out var info)) continue;
            string shape = $"inputs ({string.Join(", ", data.InputColumns)})" +
                           (data.LabelColumn is null ? ", no label" : $", label '{data.LabelColumn}' ({data.LabelKindName()})");
            var label = data.LabelKindName() switch
            {
                "none" => LabelKind.None,
                // Whole-number labels also serve losses that read them as floats (0/1 pair labels).
                "integer" => info.LabelKinds.Contains(LabelKind.Integer) || !info.LabelKinds.Contains(LabelKind.Float)
                    ? LabelKind.Integer
                    : LabelKind.Float,
                "float" => LabelKind.Float,
                "float_vector" => LabelKind.FloatVector,
                _ => (LabelKind?)null,
            };
            if (label is null)
            {
                errors.Add(new SpecError($"{dataSpec.Field}.columns", dataSpec.Location,
                    $"the label column '{data.LabelColumn}' of {data.SourcePath} mixes kinds of values",
                    "make every label a number, or every label a list of numbers"));
                continue;
            }
            if (info.CheckDataset(data.InputColumns.Count, label.Value) is { } problem)
            {
                var (text, fix) = SplitFix(problem);
                errors.Add(new SpecError($"{dataSpec.Field}.columns", dataSpec.Location, $"{text} (data: {shape})",
                    fix ?? "select matching columns or pick a loss for this shape " +
                    "(references/losses_sentence_transformer.md)"));
            }
        }
        return errors;
    }

    /// <summary>
    /// Checks what needs the model's files but not its weights: that model.id resolves to a model folder, and that
    /// model.max_seq_length fits the model's position table (config.json max_position_embeddings; BERT numbers
    /// positions 0..max-1, so max_seq_length may equal it).
    /// </summary>
    public static IReadOnlyList<SpecError> ValidateModel(RunSpec spec)
    {
        var errors = new List<SpecError>();
        string folder;
        try
        {
            folder = ModelResolver.Resolve(spec.Model.Id);
        }
        catch (Exception error) when (error is DirectoryNotFoundException or ArgumentException)
        {
            errors.Add(new SpecError("model.id", spec.SourcePath, error.Message.TrimEnd('.'),
                "use a local model folder, a model in the Hugging Face cache, or a bundled id"));
            return errors;
        }
        if (spec.Model.MaxSeqLength is not int requested) return errors;
        if (requested < 1) return errors; // ValidateStatic reports it
        int? limit;
        try
        {
            limit = ModelResolver.MaxPositionEmbeddings(folder);
        }
        catch (Exception error) when (error is InvalidDataException or NotSupportedException
                                          or System.Text.Json.JsonException)
        {
            // The model load reports an unreadable config with its own message; nothing to compare with here.
            return errors;
        }
        if (limit is int max && requested > max)
            errors.Add(new SpecError("model.max_seq_length", spec.SourcePath,
                $"{requested} is more than {spec.Model.Id} can read: its config.json has max_position_embeddings " +
                $"{max}, and a longer text would index past its position table",
                $"set model.max_seq_length to at most {max}, or leave it out to use the model's own"));
        return errors;
    }

    private static string Wrappers() =>
        string.Join(", ", LossRegistry.All.Where(l => l.IsWrapper).Select(l => l.Name));

    private static string LossesFor(string modelType) =>
        string.Join(", ", LossRegistry.All.Where(l => l.ModelType == modelType).Select(l => l.Name));

    private static IEnumerable<LossSpec> AllLosses(RunSpec spec) => spec.Losses.Values.Prepend(spec.Loss);

    /// <summary>Splits "Problem. Fix: what to do." into its two parts (the fix is null when there is none).</summary>
    private static (string Problem, string? Fix) SplitFix(string message)
    {
        int at = message.IndexOf(" Fix: ", StringComparison.Ordinal);
        return at < 0
            ? (message.TrimEnd('.'), null)
            : (message[..at].TrimEnd('.'), message[(at + 6)..].TrimEnd('.'));
    }
}
