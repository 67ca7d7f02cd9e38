using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using StTrain.Core.Training;
using StTrain.Core.Training.Spec;
using StTrain.Server.Mcp.Results;
using StTrain.Skill;
using StTrain.Skill.Runs;
using StTrain.Skill.Specs;

namespace StTrain.Server.Mcp.Tools;

/// <summary>Scoring a run's base or trained model with the run's evaluators, outside training.</summary>
[McpServerToolType]
public sealed class EvaluationTools(SkillServices skill, ILogger<EvaluationTools> logger)
{
    /// <summary>evaluate.</summary>
    [McpServerTool(Name = "evaluate", Title = "Evaluate a model with a run's evaluators", Destructive = false,
        Idempotent = true, OpenWorld = false, UseStructuredContent = true, OutputSchemaType = typeof(EvaluateResult))]
    [Description("Runs `st-train eval` in a child process: scores the run's base model (model: base) or its trained "
                 + "model (model: final, the default once the run finished) with the evaluators of "
                 + "runs/{run_name}/spec.yaml, on their full data (no smoke slices). Point an evaluator's data at "
                 + "held-out files to score a model on data it never saw. Returns every metric and the run's "
                 + "verdict metric.")]
    public Task<CallToolResult> Evaluate(
        [Description("The run whose spec supplies the evaluators (runs/{run_name}/spec.yaml).")]
        string run_name,
        [Description("base (the spec's model.id) or final (the run's trained model; needs a finished run). "
                     + "Default: final when the run finished, else base.")]
        string? model = null,
        [Description("Give up after this many seconds (default 900, at most 3600).")]
        int timeout_seconds = 900,
        CancellationToken cancellationToken = default) => ToolResults.GuardAsync(async () =>
    {
        var runName = RunNames.Validate(run_name);
        var limit = ToolResults.TimeLimit(timeout_seconds);

        // The same refusal as smoke_test and train: every spec path (evaluator data, model.id) and every link
        // below runs/{runName}/, where the metrics and the console log are written, must stay inside.
        SpecPathGuard.RequireInside(skill.Workspace, runName);
        var specPath = skill.Workspace.SpecPath(runName);
        RunSpec spec;
        try
        {
            spec = RunSpec.Load(specPath);
        }
        catch (SpecException error)
        {
            throw new SkillException($"The spec of '{runName}' does not load: {error.Message}");
        }

        if (spec.Evaluators.Count == 0)
        {
            throw new SkillException($"runs/{runName}/spec.yaml has no evaluators; add an 'evaluators:' list.");
        }

        var finished = RunResult.TryRead(skill.Workspace.ResultPath(runName)) is { Status: "finished" } result
            ? result
            : null;
        var which = (model ?? (finished is not null ? "final" : "base")).Trim().ToLowerInvariant();
        string modelPath = which switch
        {
            "base" => spec.Model.Id,
            "final" => finished?.ModelPath is { Length: > 0 } path && Directory.Exists(path)
                ? path
                : throw new SkillException($"Run '{runName}' has no trained model yet (status: "
                                           + $"{skill.Runs.Snapshot(runName).Status}); evaluate model: base, or "
                                           + "train it first."),
            _ => throw new SkillException($"model must be base or final (got '{model}')."),
        };

        if (which == "final")
        {
            // result.json is a file in the workspace like any other: the folder it names is held to the same rule.
            var boundary = skill.Workspace.Boundary;
            boundary.Require("model", modelPath, modelPath, "The trained model must lie inside the workspace.");
            if (boundary.OutsideLinks("model", modelPath, modelPath, SpecPathGuard.ModelLinkFix) is [var link, ..])
            {
                throw new SkillException(link);
            }
        }

        var metricsPath = skill.Workspace.EvaluationPath(runName, which);
        var logPath = skill.Workspace.EvaluationLogPath(runName, which);
        File.Delete(metricsPath);
        var info = StTrainCommand.StartInfo(skill.Workspace.Root, skill.Paths.ContentRoot,
            "eval", "--model", modelPath, "--spec", StTrain.Skill.Runs.RunWorkspace.RelativeSpecPath(runName), "--out", metricsPath);
        logger.LogInformation("evaluate: {Command}", StTrainCommand.Describe(info));
        var outcome = await ChildCommand.RunAsync(info, logPath, limit,
            cancellationToken);
        if (outcome.ExitCode != 0 || !File.Exists(metricsPath))
        {
            throw new SkillException((outcome.TimedOut
                                         ? $"The evaluation stopped after {timeout_seconds} s; cap the evaluators' "
                                           + "max_rows or raise timeout_seconds."
                                         : $"The evaluation failed (exit code {outcome.ExitCode}).")
                                     + $" Log: {skill.Workspace.Display(logPath)}. Last lines:\n"
                                     + string.Join('\n', outcome.Tail));
        }

        var metrics = JsonSerializer.Deserialize<SortedDictionary<string, double>>(File.ReadAllText(metricsPath))
                      ?? throw new SkillException($"The metrics file {metricsPath} is empty.");
        string? primary = PrimaryKey(spec, finished, metrics);
        double? primaryValue = primary is not null && metrics.TryGetValue(primary, out var v) ? v : null;
        var evaluation = new EvaluateResult(runName, which, modelPath, metrics, primary, primaryValue,
            Math.Round(outcome.Duration.TotalSeconds, 1), skill.Workspace.Display(logPath));

        // The run was trained on the smoke-tested spec; after an edit its baseline measured something else.
        var smoked = RunJson.Read<SmokeRecord>(skill.Workspace.SmokeRecordPath(runName), out _);
        bool specChanged = smoked is not null && smoked.SpecHash != SpecHash.Compute(skill.Workspace.SpecPath(runName));
        var text = new StringBuilder();
        text.AppendLine($"Evaluated the {which} model of {runName} ({modelPath}) with "
                        + $"{string.Join(", ", spec.Evaluators.Select(e => e.Name.Length > 0 ? e.Name : e.Type))} in "
                        + $"{evaluation.DurationSeconds.ToString(CultureInfo.InvariantCulture)} s.");
        if (primaryValue is { } value)
        {
            text.AppendLine($"{primary} = {value.ToString("0.0000", CultureInfo.InvariantCulture)}"
                            + (finished is { Baseline: { } baseline } && which == "final" && !specChanged
                                ? $" (the run's baseline was {baseline.ToString("0.0000", CultureInfo.InvariantCulture)})"
                                : ""));
        }

        if (specChanged)
        {
            text.AppendLine("Note: runs/" + runName + "/spec.yaml changed since its last smoke test, so these scores "
                            + "may not compare with the run's baseline and score (other evaluators or data).");
        }

        foreach (var (key, metric) in metrics)
        {
            text.AppendLine($"{key} = {metric.ToString("0.####", CultureInfo.InvariantCulture)}");
        }

        return ToolResults.Create(evaluation, text.ToString().TrimEnd());
    });

    /// <summary>The verdict metric: the finished run's, else the one the spec names, when it was produced.</summary>
    private static string? PrimaryKey(RunSpec spec, RunResult? finished, IReadOnlyDictionary<string, double> metrics)
    {
        foreach (var candidate in new[] { finished?.PrimaryMetric, spec.VerdictMetric, spec.Training.MetricForBestModel })
        {
            if (candidate is null)
            {
                continue;
            }

            var key = candidate.StartsWith("eval_", StringComparison.Ordinal) ? candidate : "eval_" + candidate;
            if (metrics.ContainsKey(key))
            {
                return key;
            }
        }

        return null;
    }
}
