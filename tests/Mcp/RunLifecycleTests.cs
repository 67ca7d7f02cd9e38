using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using StTrain.Skill.References;
using StTrain.Skill.Routing;
using Xunit;

namespace StTrain.Tests.Mcp;

/// <summary>
/// The smoke → train → verdict contracts. Where a test needs the trainer's output it writes the files the trainer
/// writes (result.json, metrics.jsonl, curves.png, experiments.md, in the API.md formats) and checks that the
/// server reads them, also after a restart.
/// </summary>
public sealed class RunLifecycleTests
{
    private static async Task<string> ScaffoldAsync(ServerSession session, string runName)
    {
        await session.ReadAllAsync(ReferenceRegistry.RequiredFor(ModelType.SentenceTransformer).Select(r => r.Name));
        await session.CallOkAsync("scaffold_from_template",
            new { template = "sentence_transformer", run_name = runName });
        return Path.Combine(session.Workspace, "runs", runName);
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static void WriteSmokeRecord(string runDirectory, string specHash, bool passed)
    {
        var record = new Dictionary<string, object>
        {
            ["spec_hash"] = specHash, ["passed"] = passed, ["exit_code"] = passed ? 0 : 1,
            ["finished_at"] = DateTimeOffset.UtcNow,
        };
        File.WriteAllText(Path.Combine(runDirectory, "smoke.json"), JsonSerializer.Serialize(record));
    }

    [Fact]
    public async Task Train_is_refused_without_a_smoke_test()
    {
        await using var session = await ServerSession.StartAsync();
        await ScaffoldAsync(session, "no-smoke");

        var result = await session.CallAsync("train", new { run_name = "no-smoke" });

        Assert.True(result.IsError);
        Assert.Contains("no smoke test has been run", ServerSession.TextOf(result));
    }

    [Fact]
    public async Task Train_is_refused_when_the_spec_changed_after_its_smoke_test()
    {
        await using var session = await ServerSession.StartAsync();
        var run = await ScaffoldAsync(session, "edited");
        var spec = Path.Combine(run, "spec.yaml");
        WriteSmokeRecord(run, Sha256(spec), passed: true);
        File.AppendAllText(spec, "# tweaked after the smoke test\n");

        var result = await session.CallAsync("train", new { run_name = "edited" });

        Assert.True(result.IsError);
        Assert.Contains("the spec changed after the last smoke test", ServerSession.TextOf(result));
        Assert.False(File.Exists(Path.Combine(run, "launch.json")));
    }

    [Fact]
    public async Task A_real_smoke_test_records_its_outcome_for_the_exact_spec_version()
    {
        await using var session = await ServerSession.StartAsync();
        var run = await ScaffoldAsync(session, "smoked");

        var smoke = await session.CallOkAsync("smoke_test", new { run_name = "smoked", timeout_seconds = 600 });

        var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "smoke.json"))).RootElement;
        Assert.Equal(Sha256(Path.Combine(run, "spec.yaml")), smoke.GetProperty("spec_hash").GetString());
        Assert.Equal(smoke.GetProperty("spec_hash").GetString(), record.GetProperty("spec_hash").GetString());
        Assert.Equal(smoke.GetProperty("passed").GetBoolean(), record.GetProperty("passed").GetBoolean());
        Assert.NotEmpty(smoke.GetProperty("log_tail").EnumerateArray());
        if (!smoke.GetProperty("passed").GetBoolean())
        {
            // The template's WordNet data is not in this fresh workspace, so the smoke test must fail, and train
            // must refuse the spec because of it.
            var refused = await session.CallAsync("train", new { run_name = "smoked" });
            Assert.True(refused.IsError);
            Assert.Contains("failed", ServerSession.TextOf(refused));
        }
    }

    [Fact]
    public async Task A_finished_run_reports_verdict_metrics_curves_row_and_proposals_also_after_a_restart()
    {
        var workspace = RepositoryPaths.NewWorkspace();
        string run;
        await using (var first = await ServerSession.StartAsync(workspace))
        {
            run = await ScaffoldAsync(first, "finished-run");
        }

        File.WriteAllText(Path.Combine(run, "result.json"), """
            {"run_name": "finished-run", "status": "finished", "verdict": "MARGINAL", "score": 0.6512,
             "baseline": 0.6498, "delta": 0.0014, "primary_metric": "eval_wordnet-ir-dev_cosine_ndcg@10",
             "model_path": "runs/finished-run/output/final",
             "metrics": {"eval_wordnet-ir-dev_cosine_ndcg@10": 0.6512, "eval_wordnet-ir-dev_cosine_mrr@10": 0.61},
             "error": null, "started_at": "2025-01-01T10:00:00Z", "finished_at": "2025-01-01T10:20:00Z",
             "smoke": false}
            """);
        File.WriteAllText(Path.Combine(run, "metrics.jsonl"),
            "{\"step\": 10, \"loss\": 1.2}\n{\"step\": 20, \"loss\": 0.9}\n");
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];
        File.WriteAllBytes(Path.Combine(run, "curves.png"), png);
        Directory.CreateDirectory(Path.Combine(workspace, "logs"));
        File.WriteAllText(Path.Combine(workspace, "logs", "experiments.md"),
            "| run | verdict | score |\n|---|---|---|\n| other-run | WIN | 0.7 |\n"
            + "| finished-run | MARGINAL | 0.6512 |\n");

        await using var restarted = await ServerSession.StartAsync(workspace, deleteWorkspace: true);
        var result = await restarted.CallAsync("report_verdict", new { run_name = "finished-run" });

        Assert.NotEqual(true, result.IsError);
        var verdict = result.StructuredContent!.Value;
        Assert.Equal("finished", verdict.GetProperty("status").GetString());
        Assert.Equal("MARGINAL", verdict.GetProperty("verdict").GetString());
        Assert.Equal(0.0014, verdict.GetProperty("delta").GetDouble(), 6);
        Assert.Equal(0.61, verdict.GetProperty("metrics").GetProperty("eval_wordnet-ir-dev_cosine_mrr@10").GetDouble());
        Assert.Equal("| finished-run | MARGINAL | 0.6512 |", verdict.GetProperty("experiments_row").GetString());
        Assert.True(verdict.GetProperty("proposals").GetArrayLength() >= 3);
        var image = Assert.Single(result.Content.OfType<ImageContentBlock>());
        Assert.Equal("image/png", image.MimeType);
        Assert.Equal(png, image.DecodedData.ToArray());
        Assert.Contains("VERDICT: MARGINAL", ServerSession.TextOf(result));

        var status = await restarted.CallOkAsync("run_status");
        var entry = Assert.Single(status.GetProperty("runs").EnumerateArray());
        Assert.Equal("finished", entry.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_failed_run_reports_the_error_and_the_matching_troubleshooting_entry()
    {
        await using var session = await ServerSession.StartAsync();
        var run = await ScaffoldAsync(session, "failed-run");
        File.WriteAllText(Path.Combine(run, "result.json"), """
            {"run_name": "failed-run", "status": "failed",
             "error": "training diverged at step 12: loss=nan (non-finite loss)", "smoke": false}
            """);

        var verdict = await session.CallOkAsync("report_verdict", new { run_name = "failed-run" });

        Assert.Equal("failed", verdict.GetProperty("status").GetString());
        Assert.Contains("loss=nan", verdict.GetProperty("error").GetString());
        Assert.Equal("Loss is NaN or infinite",
            verdict.GetProperty("troubleshooting").GetProperty("heading").GetString());
        Assert.Equal(0, verdict.GetProperty("proposals").GetArrayLength());
    }

    [Fact]
    public async Task A_run_whose_recorded_process_is_alive_is_running_and_cannot_be_started_twice()
    {
        await using var session = await ServerSession.StartAsync();
        var run = await ScaffoldAsync(session, "running-run");
        var spec = Path.Combine(run, "spec.yaml");
        WriteSmokeRecord(run, Sha256(spec), passed: true);

        // This test process stands in for the training process: alive, with its real id and start time.
        using var self = Process.GetCurrentProcess();
        File.WriteAllText(Path.Combine(run, "launch.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["process_id"] = self.Id,
            ["started_at"] = new DateTimeOffset(self.StartTime.ToUniversalTime(), TimeSpan.Zero),
            ["spec_hash"] = Sha256(spec),
            ["command"] = "st-train train runs/running-run/spec.yaml",
        }));

        var verdict = await session.CallOkAsync("report_verdict", new { run_name = "running-run" });
        Assert.Equal("running", verdict.GetProperty("status").GetString());
        var again = await session.CallAsync("train", new { run_name = "running-run" });
        Assert.True(again.IsError);
        Assert.Contains("already training", ServerSession.TextOf(again));
    }

    [Fact]
    public async Task A_compliant_session_trains_for_real_with_progress_and_gets_a_verdict_with_curves()
    {
        await using var session = await ServerSession.StartAsync();
        StTrain.Tests.AgentEvals.Fixtures.WriteTinyRetrievalData(Path.Combine(session.Workspace, "data", "faq"));
        await session.ReadAllAsync(ReferenceRegistry.RequiredFor(ModelType.SentenceTransformer).Select(r => r.Name));
        await session.CallOkAsync("scaffold_from_template", new
        {
            template = "sentence_transformer",
            run_name = "faq-e2e",
            overrides = new Dictionary<string, object>
            {
                ["data.train.path"] = "../../data/faq/train.jsonl",
                ["data.eval.path"] = "../../data/faq/dev.jsonl",
                ["evaluators.0.data.queries"] = "../../data/faq/queries.jsonl",
                ["evaluators.0.data.corpus"] = "../../data/faq/corpus.jsonl",
                ["evaluators.0.data.qrels"] = "../../data/faq/qrels.jsonl",
                ["training.per_device_train_batch_size"] = 8,
                ["training.max_steps"] = 2,
                ["training.logging_steps"] = 1,
                // No checkpoints: two MiniLM checkpoints with optimizer state are ~0.5 GB of disk for nothing here.
                ["training.save_strategy"] = "no",
                ["training.load_best_model_at_end"] = false,
            },
        });

        var smoke = await session.CallOkAsync("smoke_test", new { run_name = "faq-e2e" });
        Assert.True(smoke.GetProperty("passed").GetBoolean(),
            string.Join('\n', smoke.GetProperty("log_tail").EnumerateArray().Select(line => line.GetString())));

        // wait_seconds keeps the call open, so the progress arrives while the request is active.
        var steps = new List<float>();
        var progress = new SynchronousProgress(value =>
        {
            lock (steps)
            {
                steps.Add(value.Progress);
            }
        });
        var train = await session.CallAsync("train", new { run_name = "faq-e2e", wait_seconds = 600 }, progress);
        Assert.NotEqual(true, train.IsError);

        var verdict = await session.CallAsync("report_verdict", new { run_name = "faq-e2e" });
        var content = verdict.StructuredContent!.Value;
        Assert.True("finished" == content.GetProperty("status").GetString(), ServerSession.TextOf(verdict));
        Assert.Contains(content.GetProperty("verdict").GetString(), new[] { "WIN", "MARGINAL", "REGRESSION" });
        var delta = content.GetProperty("delta").GetDouble();
        Assert.Equal(content.GetProperty("score").GetDouble() - content.GetProperty("baseline").GetDouble(), delta, 4);
        Assert.Contains("faq-e2e", content.GetProperty("experiments_row").GetString());
        Assert.Single(verdict.Content.OfType<ImageContentBlock>());
        lock (steps)
        {
            // One per logged step (max_steps 2, logging_steps 1). The closing "finished" notification races with the
            // tool's reply, after which a client may drop it, so it is not counted on.
            Assert.True(steps.Count >= 2, $"{steps.Count} progress notifications");
            Assert.Equal(steps.Order(), steps); // Progress only moves forward.
        }

        // evaluate re-scores outside training: the base model reproduces the baseline, the final model the score.
        var final = (await session.CallOkAsync("evaluate", new { run_name = "faq-e2e" }));
        Assert.Equal("final", final.GetProperty("model").GetString());
        Assert.Equal(content.GetProperty("primary_metric").GetString(), final.GetProperty("primary_metric").GetString());
        Assert.Equal(content.GetProperty("score").GetDouble(), final.GetProperty("primary_value").GetDouble(), 5);
        var baseModel = await session.CallOkAsync("evaluate", new { run_name = "faq-e2e", model = "base" });
        Assert.Equal(content.GetProperty("baseline").GetDouble(), baseModel.GetProperty("primary_value").GetDouble(), 5);
        var refused = await session.CallAsync("evaluate", new { run_name = "faq-e2e", model = "latest" });
        Assert.True(refused.IsError);
        Assert.Contains("base or final", ServerSession.TextOf(refused));
    }

    // Progress<T> posts to the thread pool; this one records in the order the client hands notifications over.
    private sealed class SynchronousProgress(Action<ProgressNotificationValue> report)
        : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value) => report(value);
    }
}
