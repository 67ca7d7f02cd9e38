using System.Text.Json.Nodes;
using StTrain.Core.Models;
using StTrain.Core.Models.IO;
using StTrain.Core.Training;
using StTrain.Tests.Support;
using Xunit;

namespace StTrain.Tests.Training;

/// <summary>Real (tiny) training runs through the same executor the CLI uses.</summary>
[Collection("training runs")]
public sealed class TrainerRunTests : IDisposable
{
    private readonly TinyWorkspace workspace = new();

    public void Dispose() => workspace.Dispose();

    private RunWorkspace Runs => new(workspace.Root);

    private static JsonObject Result(string path) => JsonNode.Parse(File.ReadAllText(path))!.AsObject();

    [Fact]
    public void A_run_keeps_every_contract_baseline_log_final_model_experiments_row_and_one_verdict_line()
    {
        string spec = workspace.WriteSpec("contracts", "max_steps: 4\nlogging_steps: 1");
        Assert.Equal(0, RunExecutor.Execute(spec, smoke: false, Runs));

        var log = File.ReadAllLines(Runs.LogPath("contracts"));
        Assert.Contains(log, l => l.Contains("Evaluation (baseline", StringComparison.Ordinal));
        Assert.Matches(
            @"^VERDICT: (WIN|MARGINAL|REGRESSION) \| score=\d\.\d{4} \| baseline=\d\.\d{4} \| delta=[+-]\d\.\d{4}$",
            log[^1]);
        Assert.Single(log, l => l.StartsWith("VERDICT:", StringComparison.Ordinal));
        int baselineLine = Array.FindIndex(log, l => l.Contains("Evaluation (baseline", StringComparison.Ordinal));
        int firstStep = Array.FindIndex(log, l => l.Contains("| step 1/4", StringComparison.Ordinal));
        Assert.True(baselineLine >= 0 && firstStep > baselineLine, "the baseline is evaluated before the first step");

        var result = Result(Runs.ResultPath("contracts"));
        Assert.Equal("finished", result["status"]!.GetValue<string>());
        Assert.Equal("eval_dev_cosine_ndcg@10", result["primary_metric"]!.GetValue<string>());
        string final = result["model_path"]!.GetValue<string>();
        Assert.EndsWith(Path.Combine("output", "final"), final);
        foreach (string file in new[] { "modules.json", "model.safetensors", "README.md", "1_Pooling/config.json" })
            Assert.True(File.Exists(Path.Combine(final, file)), file);
        string card = File.ReadAllText(Path.Combine(final, "README.md"));
        Assert.StartsWith("---", card);
        Assert.Contains("base_model:", card);
        Assert.Contains("loss:MultipleNegativesRankingLoss", card);

        var experiments = File.ReadAllLines(Runs.ExperimentsPath);
        Assert.Single(experiments, l => l.StartsWith("| contracts |", StringComparison.Ordinal));
        Assert.True(File.Exists(Runs.MetricsPath("contracts")));
        Assert.True(File.Exists(Runs.CurvesPath("contracts")));

        // The curve's second panel draws the verdict metric (it was once looked up under a wrong key and left empty).
        var curves = StTrain.Tests.Observability.PngTestDecoder.Decode(File.ReadAllBytes(Runs.CurvesPath("contracts")));
        var (x0, y0, width, height) = StTrain.Core.Training.Observability.CurveChart.PlotArea(1);
        var metricColor = StTrain.Core.Training.Observability.CurveChart.MetricColor;
        bool drawn = false;
        for (int y = y0; y < y0 + height && !drawn; y++)
            for (int x = x0; x < x0 + width && !drawn; x++)
                drawn = curves.Pixel(x, y) == (metricColor.R, metricColor.G, metricColor.B);
        Assert.True(drawn, "the metric panel of curves.png is empty");

        double score = result["score"]!.GetValue<double>(), baseline = result["baseline"]!.GetValue<double>();
        Assert.Equal(score - baseline, result["delta"]!.GetValue<double>(), 9);
    }

    [Fact]
    public void Smoke_mode_runs_one_step_on_a_slice_and_appends_no_experiments_row()
    {
        string spec = workspace.WriteSpec("smoky", "num_train_epochs: 3");
        Assert.Equal(0, RunExecutor.Execute(spec, smoke: true, Runs));
        var result = Result(Path.Combine(Runs.RunDirectory("smoky"), "smoke_result.json"));
        Assert.True(result["smoke"]!.GetValue<bool>());
        Assert.Equal(1, result["global_step"]!.GetValue<int>());
        Assert.False(File.Exists(Runs.ExperimentsPath));
        var log = File.ReadAllLines(Runs.LogPath("smoky"));
        Assert.StartsWith("SMOKE TEST PASSED | score=", log[^1]);
        Assert.DoesNotContain(log, l => l.StartsWith("VERDICT:", StringComparison.Ordinal));
    }

    [Fact]
    public void Fractional_eval_steps_save_total_limit_and_best_model_reload()
    {
        string spec = workspace.WriteSpec("schedule", """
            max_steps: 8
            eval_strategy: steps
            eval_steps: 0.25
            save_steps: 0.25
            save_total_limit: 2
            load_best_model_at_end: true
            metric_for_best_model: eval_dev_cosine_ndcg@10
            logging_steps: 2
            """);
        Assert.Equal(0, RunExecutor.Execute(spec, smoke: false, Runs));

        var evalSteps = File.ReadAllLines(Runs.MetricsPath("schedule"))
            .Select(l => JsonNode.Parse(l)!.AsObject())
            .Where(o => o.ContainsKey("eval/dev_cosine_ndcg@10"))
            .Select(o => o["step"]!.GetValue<int>())
            .ToList();
        // Baseline, then every 0.25 of 8 steps; the final evaluation reuses the best step's (same weights).
        Assert.Equal([0, 2, 4, 6, 8], evalSteps);

        string output = Path.Combine(Runs.RunDirectory("schedule"), "output");
        var checkpoints = Directory.GetDirectories(output, "checkpoint-*").Select(Path.GetFileName).ToList();
        Assert.InRange(checkpoints.Count, 2, 3);
        Assert.Contains("checkpoint-8", checkpoints);
        var state = TrainerState.Read(Path.Combine(output, "checkpoint-8", "trainer_state.json"));
        Assert.NotNull(state.BestModelCheckpoint);
        Assert.True(Directory.Exists(state.BestModelCheckpoint), "the best checkpoint is never pruned");

        // The final model is the best checkpoint's weights.
        var best = SafeTensorsFile.Load(Path.Combine(state.BestModelCheckpoint!, "model.safetensors"));
        var final = SafeTensorsFile.Load(Path.Combine(output, "final", "model.safetensors"));
        Assert.Equal(best.Keys.Order(), final.Keys.Order());
        foreach (var key in best.Keys) Assert.True(best[key].allclose(final[key], rtol: 0, atol: 0), key);
    }

    [Fact]
    public void Early_stopping_ends_the_run_after_patience_evaluations_without_improvement()
    {
        string spec = workspace.WriteSpec("patience", """
            max_steps: 20
            learning_rate: 1e-12
            eval_strategy: steps
            eval_steps: 2
            save_strategy: "no"
            early_stopping_patience: 2
            early_stopping_threshold: 0.01
            """);
        Assert.Equal(0, RunExecutor.Execute(spec, smoke: false, Runs));
        Assert.Equal(6, Result(Runs.ResultPath("patience"))["global_step"]!.GetValue<int>());
        Assert.Contains(File.ReadAllLines(Runs.LogPath("patience")),
            l => l.Contains("Early stopping at step 6", StringComparison.Ordinal));
    }

    [Fact]
    public void A_crashed_run_resumed_from_its_checkpoint_ends_where_an_uninterrupted_run_ends()
    {
        const string training = "max_steps: 6\nsave_steps: 2\nlogging_steps: 1\nwarmup_steps: 2";
        string straight = workspace.WriteSpec("straight", training);
        Assert.Equal(0, RunExecutor.Execute(straight, smoke: false, Runs));

        string crashing = workspace.WriteSpec("resumed", training);
        var crash = new Progress5Crash();
        Assert.Equal(1, RunExecutor.Execute(crashing, smoke: false, Runs, crash));
        Assert.Equal("failed", Result(Runs.ResultPath("resumed"))["status"]!.GetValue<string>());
        string output = Path.Combine(Runs.RunDirectory("resumed"), "output");
        Assert.True(Directory.Exists(Path.Combine(output, "checkpoint-4")));
        Assert.False(Directory.Exists(Path.Combine(output, "checkpoint-6")));

        string resumed = workspace.WriteSpec("resumed", training + "\nresume_from_checkpoint: true");
        Assert.Equal(0, RunExecutor.Execute(resumed, smoke: false, Runs));
        Assert.Contains(File.ReadAllLines(Runs.LogPath("resumed")),
            l => l.Contains("Resumed from", StringComparison.Ordinal));

        var a = SafeTensorsFile.Load(
            Path.Combine(Runs.RunDirectory("straight"), "output", "final", "model.safetensors"));
        var b = SafeTensorsFile.Load(Path.Combine(output, "final", "model.safetensors"));
        foreach (var key in a.Keys)
            Assert.True(a[key].allclose(b[key], rtol: 0, atol: 1e-6), $"{key} differs after resume");
        Assert.Equal(Result(Runs.ResultPath("straight"))["score"]!.GetValue<double>(),
            Result(Runs.ResultPath("resumed"))["score"]!.GetValue<double>(), 6);

        // The crashed process logged step 5 after checkpoint-4; the resumed metrics hold each step once, with the
        // uninterrupted run's losses.
        static List<(int Step, double Loss)> Losses(string path) =>
            StTrain.Core.Training.Observability.MetricsRecorder.ReadJsonl(path)
                .Where(r => r.Values.ContainsKey("train/loss")).Select(r => (r.Step, r.Values["train/loss"])).ToList();
        var straightLosses = Losses(Runs.MetricsPath("straight"));
        var resumedLosses = Losses(Runs.MetricsPath("resumed"));
        Assert.Equal([1, 2, 3, 4, 5, 6], resumedLosses.Select(l => l.Step));
        Assert.Equal(straightLosses.Select(l => l.Step), resumedLosses.Select(l => l.Step));
        for (int i = 0; i < straightLosses.Count; i++)
            Assert.Equal(straightLosses[i].Loss, resumedLosses[i].Loss, 5);
    }

    [Fact]
    public void The_same_seed_gives_the_same_loss_curve()
    {
        string first = workspace.WriteSpec("seed-a", "max_steps: 3\nlogging_steps: 1");
        string second = workspace.WriteSpec("seed-b", "max_steps: 3\nlogging_steps: 1");
        Assert.Equal(0, RunExecutor.Execute(first, smoke: false, Runs));
        Assert.Equal(0, RunExecutor.Execute(second, smoke: false, Runs));
        static List<double> Losses(string path) => File.ReadAllLines(path).Select(l => JsonNode.Parse(l)!.AsObject())
            .Where(o => o.ContainsKey("train/loss")).Select(o => o["train/loss"]!.GetValue<double>()).ToList();
        var a = Losses(Runs.MetricsPath("seed-a"));
        Assert.Equal(3, a.Count);
        Assert.Equal(a, Losses(Runs.MetricsPath("seed-b")));
    }

    [Fact]
    public void Two_processes_with_the_same_seed_draw_the_same_batches_and_log_the_same_losses()
    {
        // A resumed run lives in a new process, so the data order must not depend on per-process hashing.
        static List<double> Run(TinyWorkspace workspace, string name)
        {
            string spec = workspace.WriteSpec(name, "max_steps: 3\nlogging_steps: 1");
            var outcome = CliProcess.Run(workspace.Root, "train", spec);
            Assert.True(outcome.Code == 0, outcome.Stdout + outcome.Stderr);
            return File.ReadAllLines(Path.Combine(workspace.Root, "runs", name, "metrics.jsonl"))
                .Select(l => JsonNode.Parse(l)!.AsObject())
                .Where(o => o.ContainsKey("train/loss"))
                .Select(o => o["train/loss"]!.GetValue<double>())
                .ToList();
        }

        var first = Run(workspace, "process-a");
        Assert.Equal(3, first.Count);
        Assert.Equal(first, Run(workspace, "process-b"));
    }

    [Fact]
    public void Bf16_trains_in_mixed_precision_when_forced_and_fp16_is_refused_with_the_reason()
    {
        string spec = workspace.WriteSpec("bf16", "max_steps: 2\nbf16: true");
        Environment.SetEnvironmentVariable("ST_TRAIN_BF16", "always");
        try
        {
            Assert.Equal(0, RunExecutor.Execute(spec, smoke: false, Runs));
        }
        finally
        {
            Environment.SetEnvironmentVariable("ST_TRAIN_BF16", null);
        }
        var log = File.ReadAllText(Runs.LogPath("bf16"));
        Assert.Contains("training runs in bf16 mixed precision", log);
        Assert.Equal("finished", Result(Runs.ResultPath("bf16"))["status"]!.GetValue<string>());

        string fp16 = workspace.WriteSpec("fp16", "max_steps: 1\nfp16: true");
        Assert.Equal(0, RunExecutor.Execute(fp16, smoke: false, Runs));
        Assert.Contains("fp16: true is not applied", File.ReadAllText(Runs.LogPath("fp16")));

        // Without the override the trainer measures and says what it chose.
        string measured = workspace.WriteSpec("bf16-measured", "max_steps: 1\nbf16: true");
        Assert.Equal(0, RunExecutor.Execute(measured, smoke: false, Runs));
        // Either choice is right: it depends on this CPU (and on what else is running while it is timed).
        Assert.Matches("bf16( mixed precision on cpu|: true is not applied on this cpu) \\(a bf16 matrix product runs at",
            File.ReadAllText(Runs.LogPath("bf16-measured")));
    }

    [Fact]
    public void Eval_out_never_replaces_what_eval_reads()
    {
        string spec = workspace.WriteSpec("evalout", "max_steps: 1");
        string queries = Path.Combine(workspace.Root, "data", "queries.jsonl");
        string before = File.ReadAllText(spec);
        foreach (var (target, expected) in new[]
                 {
                     (spec, "same file as --spec"),
                     (queries, "data.queries"),
                     (Path.Combine(workspace.ModelPath, "metrics.json"), "inside the model folder"),
                     (workspace.Root, "is a folder"),
                 })
        {
            var error = Assert.Throws<StTrain.Server.Commands.UsageException>(() => StTrain.Server.Commands.EvalCommand.Run(
                ["--model", workspace.ModelPath, "--spec", spec, "--out", target]));
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }
        Assert.Equal(before, File.ReadAllText(spec));

        string output = Path.Combine(workspace.Root, "eval.json");
        Assert.Equal(0, StTrain.Server.Commands.EvalCommand.Run(
            ["--model", workspace.ModelPath, "--spec", spec, "--out", output]));
        var metrics = JsonNode.Parse(File.ReadAllText(output))!.AsObject();
        Assert.Contains("eval_dev_cosine_ndcg@10", metrics.Select(kv => kv.Key));
    }

    [Fact]
    public void The_cli_refuses_to_train_a_finished_run_again_unless_told_to_overwrite()
    {
        string spec = workspace.WriteSpec("once", "max_steps: 2");
        (int Code, string Output) Cli(params string[] extra)
        {
            var outcome = CliProcess.Run(workspace.Root, ["train", spec, .. extra]);
            return (outcome.Code, outcome.Stdout + outcome.Stderr);
        }

        Assert.Equal(0, Cli().Code);
        string model = Path.Combine(Runs.RunDirectory("once"), "output", "final", "model.safetensors");
        byte[] trained = File.ReadAllBytes(model);
        string log = File.ReadAllText(Runs.LogPath("once"));

        var (code, output) = Cli();
        Assert.Equal(2, code);
        Assert.Contains("run 'once' already finished (VERDICT:", output);
        Assert.Contains("--overwrite", output);
        Assert.Equal(trained, File.ReadAllBytes(model));
        Assert.Equal(log, File.ReadAllText(Runs.LogPath("once")));
        Assert.Single(File.ReadAllLines(Runs.ExperimentsPath), l => l.StartsWith("| once |", StringComparison.Ordinal));

        (code, output) = Cli("--resume");
        Assert.Equal(2, code);
        Assert.Contains("nothing to resume", output);
        (code, output) = Cli("--resume", "--overwrite");
        Assert.Equal(2, code);
        Assert.Contains("not both", output);
        Assert.Equal(trained, File.ReadAllBytes(model));

        Assert.Equal(0, Cli("--overwrite").Code);
        Assert.Equal(2, File.ReadAllLines(Runs.ExperimentsPath).Count(l => l.StartsWith("| once |", StringComparison.Ordinal)));
    }

    /// <summary>
    /// Simulates a crash after step 5's progress report (checkpoint-4 is on disk, checkpoint-6 is not).
    /// </summary>
    private sealed class Progress5Crash : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step == 5) throw new InvalidOperationException("simulated crash at step 5");
        }
    }
}
