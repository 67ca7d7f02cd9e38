using System.ComponentModel;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using StTrain.Server.Mcp.Results;
using StTrain.Skill;
using StTrain.Skill.References;
using StTrain.Skill.Routing;
using StTrain.Skill.Runs;
using StTrain.Skill.Specs;

namespace StTrain.Server.Mcp.Tools;

/// <summary>Smoke test, training, and reading a run's outcome.</summary>
[McpServerToolType]
public sealed class RunTools(
    SkillServices skill, SmokeTestRunner smokeRunner, TrainingSupervisor supervisor, ILogger<RunTools> logger)
{
    /// <summary>smoke_test.</summary>
    [McpServerTool(Name = "smoke_test", Title = "Smoke-test a run spec", Destructive = false, Idempotent = true,
        OpenWorld = false, UseStructuredContent = true, OutputSchemaType = typeof(SmokeTestResult))]
    [Description("Runs `st-train smoke runs/{run_name}/spec.yaml` (one step on a tiny slice of the data, plus the "
                 + "evaluators) and waits for it. When it passes, the spec's SHA-256 is recorded: train accepts "
                 + "exactly that version of the spec, so any later edit needs a new smoke test. A failed smoke test "
                 + "returns its log tail and the matching troubleshooting entry.")]
    public Task<CallToolResult> SmokeTest(
        McpServer server,
        IProgress<ProgressNotificationValue> progress,
        [Description("The run to test; its spec is runs/{run_name}/spec.yaml.")]
        string run_name,
        [Description("Give up after this many seconds (default 900, at most 3600).")]
        int timeout_seconds = 900,
        CancellationToken cancellationToken = default) => ToolResults.GuardAsync(async () =>
    {
        var runName = RunNames.Validate(run_name);
        var limit = ToolResults.TimeLimit(timeout_seconds);

        EnsureReadyToRun(server, runName, "smoke-test");
        if (supervisor.IsRunning(runName) || skill.Runs.Snapshot(runName).Status == RunStatus.Running)
        {
            throw new SkillException($"Run '{runName}' is training right now; smoke-test a new run_name instead.");
        }

        var specPath = skill.Workspace.SpecPath(runName);
        var hashBefore = SpecHash.Compute(specPath);
        var outcome = await smokeRunner.RunAsync(
            runName, limit, progress, cancellationToken);
        var hashAfter = SpecHash.Compute(specPath);
        var changed = hashAfter != hashBefore;
        var passed = outcome.ExitCode == 0 && !changed;
        RunJson.Write(skill.Workspace.SmokeRecordPath(runName),
            new SmokeRecord(hashBefore, passed, outcome.ExitCode, DateTimeOffset.UtcNow));

        var match = passed ? null : MatchTroubleshooting(string.Join('\n', outcome.Tail));
        var result = new SmokeTestResult(runName, passed, outcome.ExitCode, outcome.Tail, hashBefore,
            Math.Round(outcome.Duration.TotalSeconds, 1),
            skill.Workspace.Display(skill.Workspace.SmokeLogPath(runName)), match);
        var text = new StringBuilder();
        text.AppendLine(passed
            ? $"Smoke test PASSED for {runName} (spec sha256 {hashBefore[..12]}). Next: train(run_name: \"{runName}\")."
            : changed
                ? $"Smoke test not counted: runs/{runName}/spec.yaml changed while it ran. Run smoke_test again."
                : outcome.TimedOut
                    ? $"Smoke test TIMED OUT after {timeout_seconds} s. Make the smoke slice smaller or raise "
                      + "timeout_seconds."
                    : $"Smoke test FAILED for {runName} (exit code {outcome.ExitCode}). Fix the spec, then run "
                      + "it again.");
        if (match is not null)
        {
            text.AppendLine($"Troubleshooting: {match.Heading}");
            text.AppendLine(match.Text);
        }

        text.AppendLine("Last output:");
        text.Append(string.Join('\n', outcome.Tail));
        return ToolResults.Create(result, text.ToString());
    });

    /// <summary>train.</summary>
    [McpServerTool(Name = "train", Title = "Start training", Destructive = false, Idempotent = false,
        OpenWorld = false, UseStructuredContent = true, OutputSchemaType = typeof(TrainResult))]
    [Description("Starts `st-train train runs/{run_name}/spec.yaml` in the background and returns at once. Refused "
                 + "unless smoke_test passed on the spec exactly as it is now (same SHA-256). With a progress "
                 + "token, step progress is sent as notifications/progress while training runs (also after this "
                 + "call returns). Follow with report_verdict or run_status.")]
    public Task<CallToolResult> Train(
        McpServer server,
        RequestContext<CallToolRequestParams> context,
        [Description("The run to train; it must have passed smoke_test on its current spec.")]
        string run_name,
        [Description("Optionally keep this call open up to this many seconds (at most 600) while training runs.")]
        int wait_seconds = 0,
        CancellationToken cancellationToken = default) => ToolResults.GuardAsync(async () =>
    {
        var runName = RunNames.Validate(run_name);
        if (wait_seconds is < 0 or > 600)
        {
            throw new SkillException($"wait_seconds must be between 0 and 600 (got {wait_seconds}).");
        }

        EnsureReadyToRun(server, runName, "train");
        var snapshot = skill.Runs.Snapshot(runName);
        if (snapshot.Status == RunStatus.Running || supervisor.IsRunning(runName))
        {
            throw new SkillException($"Run '{runName}' is already training; follow it with report_verdict.");
        }

        if (snapshot.Status == RunStatus.Finished)
        {
            throw new SkillException(
                $"Run '{runName}' already finished ({snapshot.Result?.Verdict}). Scaffold a new run_name for the next "
                + "experiment so logs/experiments.md keeps both.");
        }

        if (!snapshot.SmokePassedForCurrentSpec)
        {
            throw new SkillException(DescribeMissingSmoke(runName, snapshot));
        }

        ArchiveFailedResult(runName, snapshot);
        var launch = supervisor.Start(runName, snapshot.SpecHash!);
        if (context.Params?.ProgressToken is { } token)
        {
            supervisor.Subscribe(runName, server, token);
        }

        if (wait_seconds > 0)
        {
            await supervisor.WaitAsync(runName, TimeSpan.FromSeconds(wait_seconds), cancellationToken);
        }

        var status = supervisor.IsRunning(runName) ? "running" : SkillTools.Snake(skill.Runs.Snapshot(runName).Status);
        var result = new TrainResult(runName, status, skill.Workspace.Display(skill.Workspace.LogPath(runName)),
            skill.Workspace.Display(skill.Workspace.ConsoleLogPath(runName)), launch.ProcessId, launch.SpecHash);
        logger.LogInformation("train {Run}: {Status}", runName, status);
        return ToolResults.Create(result,
            $"Training {runName} is {status} (process {launch.ProcessId}). Log: {result.LogPath}. "
            + $"Call report_verdict(run_name: \"{runName}\") to follow it and, when it ends, get the verdict.");
    });

    /// <summary>report_verdict.</summary>
    [McpServerTool(Name = "report_verdict", Title = "Report a run's verdict", ReadOnly = true, Idempotent = true,
        OpenWorld = false, UseStructuredContent = true, OutputSchemaType = typeof(VerdictResult))]
    [Description("Reports a trained run: running (latest metrics and log), finished (verdict WIN/MARGINAL/REGRESSION, "
                 + "score, baseline, delta, model path, metrics, the logs/experiments.md row, next-experiment "
                 + "proposals after MARGINAL or REGRESSION, and the training curves as an image), or failed (the "
                 + "error and the matching troubleshooting entry). Works across server restarts.")]
    public CallToolResult ReportVerdict(
        [Description("The run to report on.")] string run_name) => ToolResults.Guard(() =>
    {
        var runName = RunNames.Validate(run_name);
        var snapshot = skill.Runs.Snapshot(runName);
        switch (snapshot.Status)
        {
            case RunStatus.Unknown:
                var known = skill.Runs.Names();
                throw new SkillException($"No run named '{runName}' (no runs/{runName}/spec.yaml). Known runs: "
                                         + (known.Count == 0 ? "none" : string.Join(", ", known)) + ".");
            case RunStatus.Scaffolded or RunStatus.SmokePassed:
                throw new SkillException(
                    $"Run '{runName}' has not been trained yet ({SkillTools.Snake(snapshot.Status)})."
                                         + (snapshot.Status == RunStatus.SmokePassed
                                             ? $" Call train(run_name: \"{runName}\")."
                                             : $" Call smoke_test(run_name: \"{runName}\"), then train."));
        }

        var status = SkillTools.Snake(snapshot.Status);
        var result = snapshot.Result;
        var proposals = snapshot.Status == RunStatus.Finished
            ? ExperimentAdvice.For(result?.Verdict, skill.References)
            : [];
        var match = snapshot.Status == RunStatus.Failed
            // The recorded error says most about the failure; the log tail is searched only when it matches nothing.
            ? MatchTroubleshooting(snapshot.Error ?? "")
              ?? MatchTroubleshooting((snapshot.Error ?? "") + "\n" + string.Join('\n', snapshot.LogTail))
            : null;
        var metrics = snapshot.Status == RunStatus.Finished && result?.Metrics is { } final
            ? FiniteValues(final)
            : snapshot.LatestMetrics is { ValueKind: System.Text.Json.JsonValueKind.Object } latest
                ? NumericFields(latest.EnumerateObject().ToDictionary(p => p.Name, p => p.Value))
                : null;
        var curvesPath = skill.Workspace.CurvesPath(runName);
        var verdict = new VerdictResult(runName, status, result?.Verdict, result?.Score, result?.Baseline,
            result?.Delta, result?.PrimaryMetric, result?.ModelPath, metrics, snapshot.ExperimentsRow, proposals,
            snapshot.Status == RunStatus.Failed ? snapshot.Error : null, match, snapshot.LogTail,
            snapshot.HasCurves ? skill.Workspace.Display(curvesPath) : null);

        var text = new StringBuilder();
        switch (snapshot.Status)
        {
            case RunStatus.Running:
                text.AppendLine($"{runName} is still training. Latest log line: {snapshot.LogTail.LastOrDefault()}");
                break;
            case RunStatus.Finished:
                text.AppendLine($"VERDICT: {result?.Verdict} | score={Format(result?.Score)} | "
                                + $"baseline={Format(result?.Baseline)} | "
                                + $"delta={(result?.Delta >= 0 ? "+" : "")}{Format(result?.Delta)}"
                                + (result?.PrimaryMetric is { } key ? $" ({key})" : ""));
                text.AppendLine($"Model: {result?.ModelPath}");
                if (snapshot.ExperimentsRow is { } row)
                {
                    text.AppendLine($"Experiments row: {row}");
                }

                if (proposals.Count > 0)
                {
                    text.AppendLine("Proposals for the next experiment (from training_args, Experimentation):");
                    foreach (var proposal in proposals)
                    {
                        text.AppendLine($"- {proposal}");
                    }
                }

                break;
            default:
                text.AppendLine($"{runName} FAILED: {snapshot.Error}");
                if (match is not null)
                {
                    text.AppendLine($"Troubleshooting: {match.Heading}");
                    text.AppendLine(match.Text);
                }

                text.AppendLine("Last log lines:");
                text.AppendLine(string.Join('\n', snapshot.LogTail.TakeLast(15)));
                break;
        }

        var blocks = snapshot.HasCurves
            ? new ContentBlock[] { ImageContentBlock.FromBytes(File.ReadAllBytes(curvesPath), "image/png") }
            : [];
        return ToolResults.Create(verdict, text.ToString().TrimEnd(), blocks);
    });

    /// <summary>run_status.</summary>
    [McpServerTool(Name = "run_status", Title = "Status of runs", ReadOnly = true, Idempotent = true,
        OpenWorld = false, UseStructuredContent = true, OutputSchemaType = typeof(RunStatusResult))]
    [Description("Where one run (or, without a name, every run in runs/) stands: scaffolded, smoke_passed, running, "
                 + "finished or failed, whether train would accept its current spec, and the next call to make.")]
    public CallToolResult RunStatusOf(
        [Description("Optional run name; omit to list every run.")] string? run_name = null) => ToolResults.Guard(() =>
    {
        bool listing = string.IsNullOrWhiteSpace(run_name);
        var names = listing ? skill.Runs.Names() : [RunNames.Validate(run_name)];
        var entries = names.Select(name =>
        {
            RunSnapshot snapshot;
            try
            {
                snapshot = skill.Runs.Snapshot(name);
            }
            catch (SkillException refused) when (listing)
            {
                // One run whose files lead outside the workspace must not hide the others.
                return new RunStatusEntry(name, "refused", false, null, refused.Message, null,
                    "Fix what the error names (remove the link), then call run_status again.");
            }

            return new RunStatusEntry(name, SkillTools.Snake(snapshot.Status), snapshot.SmokePassedForCurrentSpec,
                snapshot.Result?.Verdict, snapshot.Error, snapshot.LogTail.LastOrDefault(), NextStep(snapshot));
        }).ToList();
        var text = entries.Count == 0
            ? "No runs yet. Start with identify_model_type."
            : string.Join('\n', entries.Select(entry => $"- {entry.RunName}: {entry.Status}"
                                                        + (entry.Verdict is null ? "" : $" ({entry.Verdict})")
                                                        + $". Next: {entry.NextStep}"));
        return ToolResults.Create(new RunStatusResult(entries), text);
    });

    // Smoke tests and training also need the reading done: a hand-written spec must not bypass it.
    private void EnsureReadyToRun(McpServer server, string runName, string action)
    {
        // The spec's paths and the links below runs/{runName}/ (the child writes there), as evaluate checks them.
        SpecPathGuard.RequireInside(skill.Workspace, runName);
        string text = File.ReadAllText(skill.Workspace.SpecPath(runName));
        var spec = SpecDocument.Parse(text, $"runs/{runName}/spec.yaml");
        var type = RunModelTypes.Of(skill.Workspace, runName, spec);
        var ledger = skill.Ledgers.For(SessionKeys.For(server));
        SkillTools.RefuseUnread(skill.Gate.Unread(ledger, type, SpecChecks.Applicability(spec)),
            $"{action} a {type} run");
    }

    private static string DescribeMissingSmoke(string runName, RunSnapshot snapshot)
    {
        var current = snapshot.SpecHash?[..12];
        var reason = snapshot.Smoke switch
        {
            null => "no smoke test has been run on it",
            { Passed: false } failed when failed.SpecHash == snapshot.SpecHash =>
                $"the last smoke test on this spec failed (exit code {failed.ExitCode})",
            { } other => $"the spec changed after the last smoke test (tested sha256 {other.SpecHash[..12]}, "
                         + $"now {current})",
        };
        return $"Refused: train needs a passing smoke test on the spec exactly as it is now, but {reason}. "
               + $"Call smoke_test(run_name: \"{runName}\") first.";
    }

    // A failed attempt's result.json would otherwise be read as the new attempt's outcome.
    private void ArchiveFailedResult(string runName, RunSnapshot snapshot)
    {
        var resultPath = skill.Workspace.ResultPath(runName);
        if (snapshot.Status == RunStatus.Failed && File.Exists(resultPath))
        {
            var stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
            File.Move(resultPath, Path.Combine(skill.Workspace.RunDirectory(runName), $"result.failed-{stamp}.json"));
        }
    }

    private TroubleshootingMatch? MatchTroubleshooting(string failureText)
    {
        var entry = TroubleshootingIndex.Load(skill.References).Match(failureText);
        return entry is null ? null : new TroubleshootingMatch(entry.Heading, entry.Body);
    }

    private static string NextStep(RunSnapshot snapshot) => snapshot.Status switch
    {
        RunStatus.Scaffolded => $"smoke_test(run_name: \"{snapshot.RunName}\")",
        RunStatus.SmokePassed => $"train(run_name: \"{snapshot.RunName}\")",
        RunStatus.Running or RunStatus.Finished
            or RunStatus.Failed => $"report_verdict(run_name: \"{snapshot.RunName}\")",
        _ => "scaffold_from_template",
    };

    private static string Format(double? value) =>
        value?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "n/a";

    /// <summary>
    /// The numeric fields of a metrics object. Typed as number → number so the output schema is a plain object
    /// schema, which strict clients (the TypeScript SDK validates output schemas) accept.
    /// </summary>
    // result.json writes NaN and infinities as the strings "NaN"/"Infinity"; clients get numbers only, as they do
    // from metrics.jsonl below, where such values are not JSON numbers.
    private static Dictionary<string, double> FiniteValues(IReadOnlyDictionary<string, double> values) =>
        values.Where(kv => double.IsFinite(kv.Value))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    private static Dictionary<string, double> NumericFields(
        IReadOnlyDictionary<string, System.Text.Json.JsonElement> values) =>
        values.Where(kv => kv.Value.ValueKind == System.Text.Json.JsonValueKind.Number)
            .ToDictionary(kv => kv.Key, kv => kv.Value.GetDouble(), StringComparer.Ordinal);
}
