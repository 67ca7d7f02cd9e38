using StTrain.Skill.Runs;
using StTrain.Tests.Mcp;
using Xunit;

namespace StTrain.Tests.Skill;

public sealed class RunRegistryTests : IDisposable
{
    private readonly RunWorkspace _workspace = new(RepositoryPaths.NewWorkspace());

    public void Dispose() => Directory.Delete(_workspace.Root, recursive: true);

    private RunRegistry Registry => new(_workspace);

    private string Spec(string name, string text = "run_name: x\n")
    {
        var path = _workspace.SpecPath(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_name_without_a_spec_is_unknown_and_is_not_listed()
    {
        Directory.CreateDirectory(_workspace.RunDirectory("orphan"));

        Assert.Equal(RunStatus.Unknown, Registry.Snapshot("orphan").Status);
        Assert.Empty(Registry.Names());
    }

    [Fact]
    public void A_passing_smoke_test_counts_only_for_the_exact_spec_bytes()
    {
        var spec = Spec("r");
        var passed = new SmokeRecord(SpecHash.Compute(spec), true, 0, DateTimeOffset.UtcNow);
        RunJson.Write(_workspace.SmokeRecordPath("r"), passed);
        Assert.Equal(RunStatus.SmokePassed, Registry.Snapshot("r").Status);

        File.AppendAllText(spec, " ");

        var snapshot = Registry.Snapshot("r");
        Assert.Equal(RunStatus.Scaffolded, snapshot.Status);
        Assert.False(snapshot.SmokePassedForCurrentSpec);
    }

    [Fact]
    public void A_spec_hash_is_the_sha256_of_the_file_bytes()
    {
        var spec = Spec("h", "abc");

        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", SpecHash.Compute(spec));
    }

    [Fact]
    public void A_launch_whose_process_is_gone_without_a_result_is_failed_with_the_last_output()
    {
        var spec = Spec("dead");
        File.WriteAllText(_workspace.ConsoleLogPath("dead"), "loading\nSystem.OutOfMemoryException: boom\n");
        RunJson.Write(_workspace.LaunchRecordPath("dead"),
            new LaunchRecord(int.MaxValue - 7, DateTimeOffset.UtcNow, SpecHash.Compute(spec), "st-train train"));

        var snapshot = Registry.Snapshot("dead");

        Assert.Equal(RunStatus.Failed, snapshot.Status);
        Assert.Contains("OutOfMemoryException", snapshot.Error);
    }

    [Fact]
    public void The_trainers_result_json_decides_finished_and_failed_and_smoke_results_are_ignored()
    {
        Spec("done");
        File.WriteAllText(_workspace.ResultPath("done"),
            """{"run_name":"done","status":"finished","verdict":"WIN","score":0.8,"baseline":0.7,"delta":0.1}""");
        Spec("smoke-only");
        File.WriteAllText(_workspace.ResultPath("smoke-only"),
            """{"run_name":"smoke-only","status":"finished","verdict":"WIN","smoke":true}""");
        Spec("broken");
        File.WriteAllText(_workspace.ResultPath("broken"), """{"status":"failed","error":"data file missing"}""");

        Assert.Equal(RunStatus.Finished, Registry.Snapshot("done").Status);
        Assert.Equal("WIN", Registry.Snapshot("done").Result!.Verdict);
        Assert.Equal(RunStatus.Scaffolded, Registry.Snapshot("smoke-only").Status);
        Assert.Equal("data file missing", Registry.Snapshot("broken").Error);
        Assert.Equal(["broken", "done", "smoke-only"], Registry.Names());
    }

    [Fact]
    public void A_result_without_run_name_or_status_is_still_read_through_the_core_type()
    {
        Spec("bare");
        File.WriteAllText(_workspace.ResultPath("bare"),
            """{"verdict":"WIN","metrics":{"eval_dev_ndcg@10":0.5,"eval_dev_mrr@10":"NaN"}}""");

        var snapshot = Registry.Snapshot("bare");

        Assert.Equal(RunStatus.Scaffolded, snapshot.Status);
        Assert.Empty(snapshot.Problems);
        Assert.Equal("bare", snapshot.Result!.RunName);
        Assert.Equal(StTrain.Core.Training.RunResult.UnknownStatus, snapshot.Result.Status);
        Assert.Equal(0.5, snapshot.Result.Metrics!["eval_dev_ndcg@10"]);
        Assert.True(double.IsNaN(snapshot.Result.Metrics["eval_dev_mrr@10"]));
    }

    [Fact]
    public void Trainer_files_resolve_to_the_same_paths_as_the_core_workspace()
    {
        var core = new StTrain.Core.Training.RunWorkspace(_workspace.Root);

        Assert.Equal(core.ResultPath("r1"), _workspace.ResultPath("r1"));
        Assert.Equal(core.MetricsPath("r1"), _workspace.MetricsPath("r1"));
        Assert.Equal(core.CurvesPath("r1"), _workspace.CurvesPath("r1"));
        Assert.Equal(core.LogPath("r1"), _workspace.LogPath("r1"));
        Assert.Equal(core.ExperimentsPath, _workspace.ExperimentsPath);
        Assert.Equal(Path.Combine(core.RunDirectory("r1"), "smoke.json"), _workspace.SmokeRecordPath("r1"));
    }

    [Fact]
    public void A_malformed_result_is_reported_as_a_problem_not_thrown()
    {
        Spec("garbled");
        File.WriteAllText(_workspace.ResultPath("garbled"), "{ not json");

        var snapshot = Registry.Snapshot("garbled");

        Assert.Equal(RunStatus.Scaffolded, snapshot.Status);
        Assert.Contains(snapshot.Problems, problem => problem.Contains("result.json"));
    }

    [Fact]
    public void The_experiments_row_is_the_latest_row_naming_the_run_exactly()
    {
        Spec("v1");
        Directory.CreateDirectory(Path.GetDirectoryName(_workspace.ExperimentsPath)!);
        File.WriteAllText(_workspace.ExperimentsPath,
            "| run | verdict |\n|---|---|\n| v1 | MARGINAL |\n| v10 | WIN |\n| `v1` | WIN |\n");

        Assert.Equal("| `v1` | WIN |", Registry.Snapshot("v1").ExperimentsRow);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData(".hidden")]
    [InlineData("-flag")]
    [InlineData("a/b")]
    [InlineData("sp ace")]
    public void Run_names_outside_the_allowed_characters_are_refused(string name)
    {
        Assert.Throws<StTrain.Skill.SkillException>(() => RunNames.Validate(name));
    }

    [Theory]
    [InlineData("step 40/200 | loss=0.73 | lr=1.8e-05", 40, 200L)]
    [InlineData("[10:01:02] Step 7 of 50, loss 1.2", 7, 50L)]
    [InlineData("step=12 max_steps=300 loss=0.5", 12, 300L)]
    [InlineData("step: 5 loss=0.5", 5, null)]
    public void Step_progress_is_read_off_log_lines(string line, long step, long? total)
    {
        var progress = LogLineProgress.TryParse(line);

        Assert.NotNull(progress);
        Assert.Equal(step, progress.Step);
        Assert.Equal(total, progress.Total);
    }

    [Fact]
    public void Lines_without_a_step_are_not_progress()
    {
        Assert.Null(LogLineProgress.TryParse("eval_dev_cosine_accuracy=0.91"));
        Assert.Null(LogLineProgress.TryParse("stepping into the evaluator"));
    }
}
