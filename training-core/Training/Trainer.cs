using System.Diagnostics;
using System.Globalization;
using StTrain.Core.Models;
using StTrain.Core.Models.IO;
using StTrain.Core.Training.Observability;
using StTrain.Core.Training.Sampling;
using StTrain.Core.Training.Spec;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StTrain.Core.Training;

/// <summary>
/// The training loop with Hugging Face Trainer semantics (AdamW, schedules, accumulation, clipping, eval/save/log
/// schedules, best-model tracking, early stopping, checkpoints and resume), shared by every model type through
/// <see cref="ITrainingTask"/>. It also enforces the run contracts: a baseline evaluation before the first step,
/// the final model in {output_dir}/final, result.json, an experiments row and exactly one VERDICT line at the end.
/// </summary>
public sealed class Trainer
{
    private readonly RunSpec spec;
    private readonly ITrainingTask task;
    private readonly RunWorkspace workspace;
    private readonly RunLog log;
    private readonly TrainerOptions options;
    private readonly TrainingArguments args;

    public Trainer(RunSpec spec, ITrainingTask task, RunWorkspace workspace, RunLog log, TrainerOptions options)
    {
        this.spec = spec;
        this.task = task;
        this.workspace = workspace;
        this.log = log;
        this.options = options;
        args = spec.Training;
    }

    /// <summary>The metric the verdict and best-model tracking compare, with its eval_ prefix.</summary>
    public static string? VerdictKey(RunSpec spec, string? primaryKey)
    {
        string? key = spec.VerdictMetric ?? spec.Training.MetricForBestModel ?? primaryKey;
        if (key is null) return null;
        return key.StartsWith("eval_", StringComparison.Ordinal) ? key : "eval_" + key;
    }

    public RunResult Run()
    {
        var clock = Stopwatch.StartNew();
        var startedAt = DateTimeOffset.Now;
        string outputDir = options.OutputDir;
        Directory.CreateDirectory(outputDir);
        string runDir = workspace.RunDirectory(spec.RunName);
        string? resumeFrom = ResolveResume(outputDir);
        using var metrics = new MetricsRecorder(options.Smoke ? Path.Combine(runDir, "smoke") : runDir,
            resume: resumeFrom is not null,
            resumedFromStep: resumeFrom is null ? null
                : TrainerState.Read(Path.Combine(resumeFrom, "trainer_state.json")).GlobalStep);

        // Same seed, same run: model-side randomness (dropout) comes from torch's generator, data order from ours.
        manual_seed(args.Seed);
        var samplers = task.TrainData.Select((d, i) => BatchSampler.Create(args.BatchSampler,
            args.PerDeviceTrainBatchSize, args.DataloaderDropLast, (args.DataSeed ?? args.Seed) + 7919 * i,
            d.Rows, d.LabelIndex)).ToList();
        var epochPlan = new EpochPlan(samplers, args.MultiDatasetBatchSampler, args.DataSeed ?? args.Seed);
        int batchesPerEpoch = epochPlan.Batches(0).Count;
        if (batchesPerEpoch == 0)
            throw new InvalidOperationException(
                $"The training data yields no batch of {args.PerDeviceTrainBatchSize} rows" +
                (args.DataloaderDropLast ? " with dataloader_drop_last: true" : "") +
                ". Fix: use more rows or a smaller per_device_train_batch_size.");
        // A smoke test takes one real step: no warmup, so the update path (optimizer, changed weights, saving) runs.
        var plan = StepPlan.Create(options.Smoke ? args with { MaxSteps = 1, WarmupSteps = 0 } : args, batchesPerEpoch);

        var parameters = task.TrainableParameters();
        using var optimizer = CreateOptimizer(parameters);
        var schedule = new LearningRateSchedule(args.LrSchedulerType, plan.WarmupSteps, plan.TotalSteps,
            args.LearningRate, args.LrSchedulerKwargs);
        string? verdictKey = VerdictKey(spec, task.PrimaryMetricKey);
        bool verdictIsLoss = verdictKey?.EndsWith("loss", StringComparison.Ordinal) ?? false;
        bool greaterIsBetter = args.GreaterIsBetter ?? !verdictIsLoss;

        log.Info($"Training {task.ModelType} from {task.BaseModel}: {task.TrainData.Sum(d => d.Count)} rows in " +
                 $"{task.TrainData.Count} dataset(s), {batchesPerEpoch} batches/epoch, " +
                 $"{plan.TotalSteps} optimizer steps, " +
                 $"batch size {args.PerDeviceTrainBatchSize} x {args.GradientAccumulationSteps} accumulation, " +
                 $"lr {args.LearningRate.ToString("G3", CultureInfo.InvariantCulture)} ({args.LrSchedulerType}, " +
                 $"{plan.WarmupSteps} warmup steps), loss {task.LossDescription}, " +
                 $"device {TorchSharp.torch.get_default_device()}.");
        ScalarType? computeType = ChooseComputeType(args);

        // Resume, or evaluate the untouched model first: the baseline every verdict is measured against.
        var state = new TrainerState { TotalSteps = plan.TotalSteps };
        if (resumeFrom is not null)
        {
            state = RestoreCheckpoint(resumeFrom, optimizer);
            log.Info($"Resumed from {resumeFrom} at step {state.GlobalStep} " +
                     $"(epoch {state.Epoch}, batch {state.BatchInEpoch}).");
        }
        else
        {
            state.BaselineMetrics = EvaluateAll("baseline");
            metrics.Log(0, 0, Prefixed(state.BaselineMetrics, "eval/"));
            if (verdictKey is not null && state.BaselineMetrics.TryGetValue(verdictKey, out double b))
                log.Info($"Baseline {verdictKey}={Format(b)}");
        }

        // Evaluations of this process by step: the final evaluation reuses one when the weights are the same.
        var evaluatedAt = new Dictionary<int, Dictionary<string, double>>();
        task.Model.train();
        var throughput = Stopwatch.StartNew();
        int samplesSinceLog = 0;
        bool stop = false;
        while (state.GlobalStep < plan.TotalSteps && !stop)
        {
            var batches = epochPlan.Batches(state.Epoch);
            while (state.BatchInEpoch < batches.Count && state.GlobalStep < plan.TotalSteps)
            {
                int micro = Math.Min(args.GradientAccumulationSteps, batches.Count - state.BatchInEpoch);
                double stepLoss = 0;
                using (var scope = NewDisposeScope())
                {
                    for (int m = 0; m < micro; m++)
                    {
                        var (datasetIndex, rows) = batches[state.BatchInEpoch + m];
                        Tensor loss;
                        bool ownBackward;
                        using (MixedPrecision.Use(computeType))
                            (loss, ownBackward) = task.ComputeLoss(datasetIndex, rows, 1.0 / micro);
                        double value = loss.item<float>();
                        if (!double.IsFinite(value))
                            throw new InvalidOperationException(
                                $"The loss became {value} at step {state.GlobalStep + 1}. Fix: lower learning_rate, " +
                                "check the labels for NaN or out-of-range values, or raise warmup_steps.");
                        if (!ownBackward) (loss / micro).backward();
                        stepLoss += value / micro;
                        samplesSinceLog += rows.Length;
                    }
                    if (args.MaxGradNorm > 0)
                        nn.utils.clip_grad_norm_(parameters.Select(p => p.Parameter), args.MaxGradNorm);
                    double lr = args.LearningRate * schedule.Factor(state.GlobalStep);
                    foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
                    optimizer.step();
                    optimizer.zero_grad();
                }
                state.BatchInEpoch += micro;
                state.GlobalStep++;
                state.LossSinceLog += stepLoss;
                state.StepsSinceLog++;
                double epoch = state.Epoch + (double)state.BatchInEpoch / batches.Count;
                options.Progress?.Report(new TrainingProgress(state.GlobalStep, plan.TotalSteps, stepLoss,
                    $"step {state.GlobalStep}/{plan.TotalSteps} loss {Format(stepLoss)}"));

                if (state.GlobalStep % plan.LoggingSteps == 0 || (args.LoggingFirstStep && state.GlobalStep == 1) ||
                    state.GlobalStep == plan.TotalSteps)
                {
                    double meanLoss = state.LossSinceLog / Math.Max(1, state.StepsSinceLog);
                    double lr = args.LearningRate * schedule.Factor(Math.Max(0, state.GlobalStep - 1));
                    double rate = samplesSinceLog / Math.Max(1e-9, throughput.Elapsed.TotalSeconds);
                    log.Info($"step {state.GlobalStep}/{plan.TotalSteps} | epoch {epoch:0.00} | " +
                             $"loss {Format(meanLoss)} | " +
                             $"lr {lr.ToString("0.000e+0", CultureInfo.InvariantCulture)} | {rate:0.0} samples/s");
                    var row = new Dictionary<string, double>
                    {
                        ["train/loss"] = meanLoss, ["train/learning_rate"] = lr, ["train/samples_per_second"] = rate,
                    };
                    metrics.Log(state.GlobalStep, epoch, row);
                    state.LogHistory.Add(new Dictionary<string, double>(row) { ["step"] = state.GlobalStep });
                    state.LossSinceLog = 0;
                    state.StepsSinceLog = 0;
                    samplesSinceLog = 0;
                    throughput.Restart();
                }

                bool epochEnd = state.BatchInEpoch >= batches.Count;
                bool evaluate = !options.Smoke && plan.EvalSteps is int every &&
                                (args.EvalStrategy == "epoch" ? epochEnd : state.GlobalStep % every == 0);
                bool improved = false;
                if (evaluate)
                {
                    var evalMetrics = EvaluateAll($"step {state.GlobalStep}");
                    evaluatedAt[state.GlobalStep] = evalMetrics;
                    metrics.Log(state.GlobalStep, epoch, Prefixed(evalMetrics, "eval/"));
                    state.LogHistory.Add(new Dictionary<string, double>(evalMetrics) { ["step"] = state.GlobalStep });
                    if (verdictKey is not null && evalMetrics.TryGetValue(verdictKey, out double current))
                    {
                        double margin = args.EarlyStoppingThreshold;
                        improved = state.BestMetric is not double best ||
                                   (greaterIsBetter ? current > best + margin : current < best - margin);
                        if (improved)
                        {
                            state.BestMetric = current;
                            state.PatienceCounter = 0;
                        }
                        else
                        {
                            state.PatienceCounter++;
                        }
                        if (args.EarlyStoppingPatience is int patience && state.PatienceCounter >= patience)
                        {
                            log.Info($"Early stopping at step {state.GlobalStep}: {verdictKey} has not improved for " +
                                     $"{patience} evaluation(s) (best {Format(state.BestMetric ?? double.NaN)}).");
                            stop = true;
                        }
                    }
                }

                bool save = !options.Smoke && args.SaveStrategy switch
                {
                    "steps" => state.GlobalStep % plan.SaveSteps == 0,
                    "epoch" => epochEnd,
                    "best" => improved,
                    _ => false,
                };
                if (epochEnd)
                {
                    state.Epoch++;
                    state.BatchInEpoch = 0;
                }
                if (save)
                {
                    string checkpoint = SaveCheckpoint(outputDir, state, optimizer);
                    if (improved) state.BestModelCheckpoint = checkpoint;
                    // Record the best checkpoint in the newest state too, then prune old checkpoints.
                    TrainerStateFile(checkpoint, state);
                    PruneCheckpoints(outputDir, state);
                }
                if (stop || epochEnd) break;
            }
        }

        // The final model: the best checkpoint when asked for, then the last evaluation that the verdict reads.
        int finalWeightsStep = state.GlobalStep;
        if (args.LoadBestModelAtEnd && state.BestModelCheckpoint is { } bestCheckpoint &&
            Directory.Exists(bestCheckpoint))
        {
            log.Info($"Loading the best model from {bestCheckpoint} " +
                     $"({verdictKey}={Format(state.BestMetric ?? double.NaN)}).");
            task.Restore(bestCheckpoint);
            finalWeightsStep = int.Parse(Path.GetFileName(bestCheckpoint)["checkpoint-".Length..],
                CultureInfo.InvariantCulture);
        }
        Dictionary<string, double> finalMetrics;
        if (evaluatedAt.TryGetValue(finalWeightsStep, out var known))
        {
            finalMetrics = known;
            log.Info($"Final evaluation: the step-{finalWeightsStep} evaluation above (same weights).");
        }
        else
        {
            finalMetrics = EvaluateAll("final");
            metrics.Log(state.GlobalStep, state.Epoch, Prefixed(finalMetrics, "eval/"));
        }
        string finalDir = Path.Combine(outputDir, "final");
        SaveAtomically(finalDir, task.Save);
        log.Info($"Saved the final model to {finalDir}");

        Verdict? verdict = null;
        if (verdictKey is not null && finalMetrics.TryGetValue(verdictKey, out double score) &&
            state.BaselineMetrics.TryGetValue(verdictKey, out double baseline))
            verdict = Verdict.From(score, baseline, greaterIsBetter);

        string curves = options.Smoke
            ? Path.Combine(runDir, "smoke", "curves.png")
            : workspace.CurvesPath(spec.RunName);
        try
        {
            // Metrics are recorded as eval/{key without its eval_ prefix} (see Prefixed).
            string metricSeries = verdictKey is null ? "train/loss" : "eval/" + verdictKey["eval_".Length..];
            metrics.RenderCurves(curves, "train/loss", metricSeries);
        }
        catch (Exception error) when (error is IOException or ArgumentException or InvalidOperationException)
        {
            log.Warn($"Could not draw {curves}: {error.Message}");
        }

        return new RunResult
        {
            RunName = spec.RunName,
            Status = "finished",
            Smoke = options.Smoke,
            ModelType = task.ModelType,
            BaseModel = task.BaseModel,
            Verdict = verdict?.Outcome,
            Score = verdict?.Score,
            Baseline = verdict?.Baseline,
            Delta = verdict?.Delta,
            VerdictLine = verdict?.Line(),
            PrimaryMetric = verdictKey,
            ModelPath = finalDir,
            Metrics = finalMetrics,
            BaselineMetrics = state.BaselineMetrics,
            GlobalStep = state.GlobalStep,
            TotalSteps = plan.TotalSteps,
            StartedAt = startedAt,
            FinishedAt = DateTimeOffset.Now,
            SpecPath = spec.SourcePath,
            LogPath = log.FilePath,
        };
    }

    private Dictionary<string, double> EvaluateAll(string when)
    {
        var watch = Stopwatch.StartNew();
        var result = new Dictionary<string, double>(StringComparer.Ordinal);

        // Evaluators leave embedding tensors behind; only numbers leave this scope, so each evaluation frees its own.
        using (NewDisposeScope())
        {
            foreach (var (key, value) in task.Evaluate()) result["eval_" + key] = value;
            if (task.EvalData is not null) result["eval_loss"] = task.EvalLoss(args.PerDeviceEvalBatchSize);
        }
        if (result.Count > 0)
            log.Info($"Evaluation ({when}, {watch.Elapsed.TotalSeconds:0.0}s): " +
                     string.Join(" ", result.Select(kv => $"{kv.Key}={Format(kv.Value)}")));
        return result;
    }

    private static Dictionary<string, double> Prefixed(IReadOnlyDictionary<string, double> values, string prefix) =>
        values.ToDictionary(
            kv => prefix + (kv.Key.StartsWith("eval_", StringComparison.Ordinal) ? kv.Key[5..] : kv.Key),
            kv => kv.Value);

    private static string Format(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    private AdamW CreateOptimizer(IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        // No weight decay on biases and LayerNorm weights, as the Hugging Face trainer does.
        static bool NoDecay(string name) => name.EndsWith("bias", StringComparison.Ordinal) ||
                                            name.Contains("LayerNorm", StringComparison.Ordinal) ||
                                            name.Contains("layer_norm", StringComparison.Ordinal);
        var decay = parameters.Where(p => !NoDecay(p.Name)).Select(p => p.Parameter).ToList();
        var noDecay = parameters.Where(p => NoDecay(p.Name)).Select(p => p.Parameter).ToList();
        var groups = new List<AdamW.ParamGroup>();
        if (decay.Count > 0)
            groups.Add(new AdamW.ParamGroup(decay,
                new AdamW.Options { weight_decay = args.WeightDecay, LearningRate = args.LearningRate }));
        if (noDecay.Count > 0)
            groups.Add(new AdamW.ParamGroup(noDecay,
                new AdamW.Options { weight_decay = 0.0, LearningRate = args.LearningRate }));
        return optim.AdamW(groups, args.LearningRate, args.AdamBeta1, args.AdamBeta2, args.AdamEpsilon,
            args.WeightDecay);
    }

    private string? ResolveResume(string outputDir)
    {
        if (options.Smoke || args.ResumeFromCheckpoint is not { } resume) return null;
        if (resume != "latest")
        {
            string path = spec.Resolve(resume);
            return Directory.Exists(path)
                ? path
                : throw new SpecException("training.resume_from_checkpoint", spec.SourcePath,
                    $"the checkpoint folder '{path}' does not exist",
                    "give a checkpoint-N folder or true for the newest");
        }
        var newest = Checkpoints(outputDir).LastOrDefault();
        if (newest is null)
            throw new SpecException("training.resume_from_checkpoint", spec.SourcePath,
                $"there is no checkpoint-N folder in {outputDir} to resume from",
                "run without --resume / resume_from_checkpoint, or set save_steps so the run writes checkpoints");
        return newest;
    }

    private static List<string> Checkpoints(string outputDir) =>
        Directory.Exists(outputDir)
            ? Directory.GetDirectories(outputDir, "checkpoint-*")
                .Where(d => int.TryParse(Path.GetFileName(d)["checkpoint-".Length..], out _) &&
                            File.Exists(Path.Combine(d, "trainer_state.json")))
                .OrderBy(d => int.Parse(Path.GetFileName(d)["checkpoint-".Length..], CultureInfo.InvariantCulture))
                .ToList()
            : [];

    private string SaveCheckpoint(string outputDir, TrainerState state, AdamW optimizer)
    {
        string checkpoint = Path.Combine(outputDir, $"checkpoint-{state.GlobalStep}");
        SaveAtomically(checkpoint, dir =>
        {
            task.Save(dir);
            task.SaveTrainingState(dir);
            optimizer.save_state_dict(Path.Combine(dir, "optimizer.bin"));
            SafeTensorsFile.Save(Path.Combine(dir, "rng_state.safetensors"),
                new Dictionary<string, Tensor> { ["torch"] = get_rng_state() });
            TrainerStateFile(dir, state);
        });
        log.Info($"Saved checkpoint {checkpoint}");
        return checkpoint;
    }

    private static void TrainerStateFile(string directory, TrainerState state) =>
        state.Write(Path.Combine(directory, "trainer_state.json"));

    /// <summary>
    /// The dtype of the transformer's matrix products: bf16 when the spec asks for it and it is faster here (always on
    /// CUDA; on a CPU, measured), else float32 (null). ST_TRAIN_BF16=always or never overrides the measurement.
    /// fp16 is refused in favour of float32: it needs dynamic loss scaling, which this trainer does not have.
    /// </summary>
    private ScalarType? ChooseComputeType(TrainingArguments args)
    {
        if (args.Fp16)
            log.Warn("fp16: true is not applied: float16 training needs dynamic loss scaling, which this trainer " +
                     "does not have. Training in float32; use bf16: true instead (float32's range, no scaling).");
        if (!args.Bf16) return null;
        var device = get_default_device();
        string deviceName = device.type.ToString().ToLowerInvariant();
        string? forced = Environment.GetEnvironmentVariable("ST_TRAIN_BF16")?.Trim().ToLowerInvariant();
        if (forced is "always" or "never")
        {
            log.Info($"bf16: ST_TRAIN_BF16={forced}, so training runs in {(forced == "always" ? "bf16 mixed precision" : "float32")}.");
            return forced == "always" ? ScalarType.BFloat16 : null;
        }
        var (faster, ratio) = MixedPrecision.Bf16PaysOff(device);
        string measured = double.IsNaN(ratio) ? "" :
            $" (a bf16 matrix product runs at {ratio.ToString("0.00", CultureInfo.InvariantCulture)}x float32 speed here)";
        if (faster)
        {
            log.Info($"bf16 mixed precision on {deviceName}{measured}: matrix products in bf16, weights, " +
                     "optimizer and loss in float32.");
            return ScalarType.BFloat16;
        }
        log.Warn($"bf16: true is not applied on this {deviceName}{measured}: it would be slower than float32. " +
                 "Training in float32 (set ST_TRAIN_BF16=always to use bf16 anyway).");
        return null;
    }

    private TrainerState RestoreCheckpoint(string checkpoint, AdamW optimizer)
    {
        task.Restore(checkpoint);
        optimizer.load_state_dict(Path.Combine(checkpoint, "optimizer.bin"));
        var rng = SafeTensorsFile.Load(Path.Combine(checkpoint, "rng_state.safetensors"));
        set_rng_state(rng["torch"]);
        return TrainerState.Read(Path.Combine(checkpoint, "trainer_state.json"));
    }

    /// <summary>Keeps at most save_total_limit checkpoints, never deleting the best one.</summary>
    private void PruneCheckpoints(string outputDir, TrainerState state)
    {
        if (args.SaveTotalLimit is not int limit || limit < 1) return;
        var all = Checkpoints(outputDir);
        string? best = state.BestModelCheckpoint is null ? null : Path.GetFullPath(state.BestModelCheckpoint);
        foreach (string old in all.Take(Math.Max(0, all.Count - limit)))
        {
            if (Path.GetFullPath(old) == best) continue;
            Directory.Delete(old, recursive: true);
        }
    }

    /// <summary>
    /// Writes into a temporary sibling folder and renames it, so a killed run never leaves half a folder.
    /// </summary>
    public static void SaveAtomically(string directory, Action<string> write)
    {
        string temp = directory + ".partial";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        write(temp);
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        Directory.Move(temp, directory);
    }
}
