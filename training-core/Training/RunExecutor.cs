using System.Diagnostics;
using StTrain.Core.Evaluation;
using StTrain.Core.Hub;
using StTrain.Core.Losses;
using StTrain.Core.Models;
using StTrain.Core.Training.Spec;

namespace StTrain.Core.Training;

/// <summary>
/// Runs a spec from start to VERDICT with every contract in place, whatever the spec says: the log tee'd to
/// logs/{RUN_NAME}.log, result.json kept current, validation before anything heavy loads, the baseline evaluation,
/// the final model and its card, an experiments row, a guarded Hub push, and the VERDICT line as the last line.
/// </summary>
public static class RunExecutor
{
    /// <summary>Rows per training dataset in smoke mode: enough for two full batches.</summary>
    public static int SmokeRows(RunSpec spec) =>
        Math.Max(8, 2 * spec.Training.PerDeviceTrainBatchSize * spec.Training.GradientAccumulationSteps);

    public const int SmokeEvaluatorRows = 32;

    /// <summary>A data path as read from the workspace root (the experiments log lives in logs/, not beside the spec).</summary>
    private static string DataPathForLog(RunSpec spec, string path, RunWorkspace workspace)
    {
        string full = spec.Resolve(path);
        string relative = Path.GetRelativePath(workspace.Root, full);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative;
    }

    /// <param name="resume">Continue from the newest checkpoint in output_dir (as resume_from_checkpoint: true).</param>
    public static int Execute(string specPath, bool smoke, RunWorkspace workspace,
        IProgress<TrainingProgress>? progress = null, bool resume = false)
    {
        var spec = RunSpec.Load(specPath);
        if (resume) spec = spec with { Training = spec.Training with { ResumeFromCheckpoint = "latest" } };
        // Refused before anything is written: the result and log would land in another run's folder.
        if (RunSpecValidator.RunFolderMismatch(spec, workspace.Root) is { } mismatch)
            throw new SpecException(mismatch.Field, mismatch.Location, mismatch.Problem, mismatch.Fix);
        string resultPath = smoke
            ? Path.Combine(workspace.RunDirectory(spec.RunName), "smoke_result.json")
            : workspace.ResultPath(spec.RunName);
        using var log = new RunLog(workspace.LogPath(spec.RunName));
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.Now;
        var running = new RunResult
        {
            RunName = spec.RunName, Status = "running", Smoke = smoke, ModelType = spec.ModelType,
            BaseModel = spec.Model.Id, StartedAt = started, SpecPath = spec.SourcePath, LogPath = log.FilePath,
            ProcessId = Environment.ProcessId,
        };
        running.Write(resultPath);
        log.Info($"=== {(smoke ? "smoke test" : "run")} {spec.RunName} ({spec.SourcePath}) ===");

        try
        {
            var result = Run(spec, smoke, workspace, log, progress) with
            {
                StartedAt = started, ProcessId = Environment.ProcessId,
            };
            if (!smoke && result.Verdict is not null)
            {
                var verdict = new Verdict(result.Verdict, result.Score!.Value, result.Baseline!.Value, result.Delta!.Value);
                string row = ExperimentsLog.Row(spec.RunName, spec.Model.Id, string.Join(" + ", spec.Train.Select(d => DataPathForLog(spec, d.Path, workspace))),
                    spec.Loss.Wrapper is { } w ? $"{w.Name}({spec.Loss.Name})" : spec.Loss.Name,
                    string.Join(", ", spec.Evaluators.Select(e => e.Type)) + $" ({result.PrimaryMetric})", verdict,
                    clock.Elapsed);
                ExperimentsLog.Append(workspace.ExperimentsPath, row);
                result = result with { ExperimentsRow = row };
            }
            result.Write(resultPath);
            if (result.VerdictLine is null)
                throw new InvalidOperationException(
                    $"The run finished but its verdict metric {result.PrimaryMetric ?? "(none)"} was not produced by the " +
                    "evaluators. Fix: set metric_for_best_model or verdict_metric to one of the keys logged above.");
            // A smoke test proves the pipeline but is not an experiment: its line must not look like a verdict.
            string figures = result.VerdictLine[result.VerdictLine.IndexOf(" | ", StringComparison.Ordinal)..];
            log.Raw(smoke ? "SMOKE TEST PASSED" + figures : result.VerdictLine);
            return 0;
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            string message = error is SpecException or SpecValidationException or InvalidDataException
                or ArgumentException or IOException
                or NotSupportedException or InvalidOperationException or UnauthorizedAccessException
                ? error.Message
                : $"{error.GetType().Name}: {FirstLine(error.Message)}";
            log.Error($"Run failed: {message}");
            // Expected failures (bad spec, data, model or files) are fully described by their message; only a
            // surprise gets the frame it came from, for a bug report.
            if (message != error.Message)
                log.Error(error.StackTrace?.Split('\n').FirstOrDefault()?.Trim() ?? "");
            (running with { Status = "failed", Error = log.Mask(message), FinishedAt = DateTimeOffset.Now }).Write(resultPath);
            return 1;
        }
    }

    /// <summary>
    /// The first line of a message: native (libtorch) errors append their C++ frames after it, which belong in a
    /// debugger, not in result.json.
    /// </summary>
    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end].TrimEnd();
    }

    private static RunResult Run(RunSpec spec, bool smoke, RunWorkspace workspace, RunLog log,
        IProgress<TrainingProgress>? progress)
    {
        // Validate everything that needs no model first: a broken spec fails in seconds, not after a model load.
        var errors = RunSpecValidator.ValidateStatic(spec);
        if (errors.Count > 0) throw new SpecValidationException(errors);
        if (spec.ModelType != "SentenceTransformer")
            throw new NotSupportedException(
                $"model_type {spec.ModelType} cannot be trained by this build yet; SentenceTransformer can.");

        errors = RunSpecValidator.ValidateModel(spec);
        if (errors.Count > 0) throw new SpecValidationException(errors);

        int? cap = smoke ? SmokeRows(spec) : null;
        var train = spec.Train.Select(d => PreparedDataset.Load(d, spec.Resolve, cap)).ToList();
        var eval = spec.Eval is null ? null : PreparedDataset.Load(spec.Eval, spec.Resolve, smoke ? SmokeEvaluatorRows : null);
        errors = RunSpecValidator.ValidateData(spec, train);
        if (errors.Count > 0) throw new SpecValidationException(errors);
        static string Describe(PreparedDataset d) =>
            $"{d.Name} {d.Count} rows, inputs ({string.Join(", ", d.InputColumns)})" +
            (d.LabelColumn is null ? "" : $", label '{d.LabelColumn}'");
        log.Info($"Spec valid. Data: {string.Join("; ", train.Select(Describe))}");

        var watch = Stopwatch.StartNew();
        var model = SentenceTransformer.Load(spec.Model.Id);
        foreach (string warning in model.Warnings) log.Warn(warning);
        if (spec.Model.MaxSeqLength is int maxSeqLength) model.MaxSeqLength = maxSeqLength;
        foreach (var (name, prompt) in spec.Model.Prompts) model.SetPrompt(name, prompt);
        if (spec.Model.DefaultPromptName is { } defaultPrompt) model.DefaultPromptName = defaultPrompt;
        log.Info($"Loaded {spec.Model.Id} in {watch.Elapsed.TotalSeconds:0.0}s: {model.EmbeddingDimension} dimensions, " +
                 $"max_seq_length {model.MaxSeqLength}, {model.parameters().Sum(p => p.numel()):N0} parameters.");

        // Evaluators report keys for the model's similarity function (e.g. dot_ndcg@10 for a dot-product model): the
        // spec's similarity_fn_name when given (it is also what the saved model will carry), else the loaded one's.
        string similarity = spec.Model.SimilarityFunction ?? model.SimilarityFunctionName;
        similarity = SimilarityFunctions.IsKnown(similarity) ? SimilarityFunctions.Canonical(similarity)
            : SimilarityFunctions.Cosine;
        var evaluators = spec.Evaluators
            .Select(e => EvaluatorRegistry.Create(e, spec.Resolve, smoke ? SmokeEvaluatorRows : e.MaxRows,
                similarity))
            .ToList();
        using var task = new SentenceTransformerTask(spec, model, train, eval, evaluators);
        string outputDir = smoke
            ? Path.Combine(workspace.RunDirectory(spec.RunName), "smoke", "output")
            : spec.OutputDir(workspace.Root);
        var trainer = new Trainer(spec, task, workspace, log, new TrainerOptions
        {
            Smoke = smoke, OutputDir = outputDir, Progress = progress,
        });
        var result = trainer.Run();

        ModelCardWriter.Write(result.ModelPath!, spec, result, task.LossDescription, task.LossConfig,
            task.EvaluatorDescription, train.Sum(d => d.Count));
        HubPushGuard.TryPush(spec.Hub, result.ModelPath!, log, smoke);
        return result;
    }
}
