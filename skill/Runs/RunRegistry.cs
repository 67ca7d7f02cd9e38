using System.Text.Json;
using RunResult = StTrain.Core.Training.RunResult;

namespace StTrain.Skill.Runs;

/// <summary>
/// Reads a run's state from its files alone, so a restarted server still reports every run: spec.yaml, smoke.json
/// and launch.json (the server's records), result.json, metrics.jsonl and curves.png (the trainer's), the run log
/// and the experiments table.
/// </summary>
public sealed class RunRegistry(RunWorkspace workspace)
{
    /// <summary>Lines of log returned with a snapshot.</summary>
    public const int LogTailLines = 40;

    /// <summary>The workspace the runs live in.</summary>
    public RunWorkspace Workspace { get; } = workspace;

    /// <summary>
    /// The names of all runs that have a spec, sorted; a run folder that a symbolic link carries outside the
    /// workspace is not a run of this workspace and is left out.
    /// </summary>
    public IReadOnlyList<string> Names()
    {
        if (!Directory.Exists(Workspace.RunsDirectory))
        {
            return [];
        }

        return Directory.EnumerateDirectories(Workspace.RunsDirectory)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => File.Exists(Path.Combine(Workspace.RunsDirectory, name, "spec.yaml")))
            .Where(Workspace.IsInside)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The state of one run; <see cref="RunStatus.Unknown"/> when it has no spec.</summary>
    public RunSnapshot Snapshot(string name)
    {
        RunNames.Validate(name);
        var problems = new List<string>();
        var specPath = Workspace.SpecPath(name);
        if (!File.Exists(specPath))
        {
            return new RunSnapshot { RunName = name, Status = RunStatus.Unknown };
        }

        var specHash = SpecHash.Compute(specPath);
        var smoke = RunJson.Read<SmokeRecord>(Workspace.SmokeRecordPath(name), out var smokeProblem);
        var launch = RunJson.Read<LaunchRecord>(Workspace.LaunchRecordPath(name), out var launchProblem);
        var result = RunResult.TryRead(Workspace.ResultPath(name), out var resultProblem);
        problems.AddRange(new[] { smokeProblem, launchProblem, resultProblem }.OfType<string>());

        // result.json from a smoke run describes the smoke test, not training.
        if (result is { Smoke: true })
        {
            result = null;
        }

        var smokeCurrent = smoke is { Passed: true } && smoke.SpecHash == specHash;
        var (status, error) = Decide(name, result, launch, smokeCurrent);
        var logTail = TextTail.Lines(Workspace.LogPath(name), LogTailLines);
        if (logTail.Count == 0)
        {
            logTail = TextTail.Lines(Workspace.ConsoleLogPath(name), LogTailLines);
        }

        return new RunSnapshot
        {
            RunName = name,
            Status = status,
            SpecHash = specHash,
            Smoke = smoke,
            SmokePassedForCurrentSpec = smokeCurrent,
            Launch = launch,
            Result = result,
            Error = error,
            LatestMetrics = LatestMetrics(name, problems),
            ExperimentsRow = result?.ExperimentsRow ?? ExperimentsRow(name),
            LogTail = logTail,
            HasCurves = File.Exists(Workspace.CurvesPath(name)),
            Problems = problems,
        };
    }

    private (RunStatus Status, string? Error) Decide(
        string name, RunResult? result, LaunchRecord? launch, bool smokeCurrent)
    {
        var processAlive = launch is { ExitCode: null } && ProcessLiveness.IsAlive(launch.ProcessId, launch.StartedAt);
        var status = result?.Status.Trim().ToLowerInvariant();

        if (status == "finished")
        {
            return (RunStatus.Finished, null);
        }

        if (status == "failed")
        {
            return (RunStatus.Failed, result!.Error ?? "The trainer reported failure without an error message.");
        }

        if (launch is not null)
        {
            if (processAlive)
            {
                return (RunStatus.Running, null);
            }

            var exit = launch.ExitCode is { } code ? $"exited with code {code}" : "is no longer running";
            var lastLine = TextTail.Lines(Workspace.ConsoleLogPath(name), 1).FirstOrDefault();
            return (RunStatus.Failed,
                $"The training process {exit} without writing a final result to runs/{name}/result.json."
                + (lastLine is null ? "" : $" Its last output line: {lastLine}"));
        }

        if (status == "running")
        {
            // A trainer started by hand (not by this server): alive if the pid it recorded still runs.
            var alive = result!.ProcessId is not { } pid
                        || result.StartedAt is not { } started
                        || ProcessLiveness.IsAlive(pid, started);
            return alive
                ? (RunStatus.Running, null)
                : (RunStatus.Failed,
                    $"result.json says running, but its process {result.ProcessId} is gone without a result.");
        }

        return (smokeCurrent ? RunStatus.SmokePassed : RunStatus.Scaffolded, null);
    }

    private JsonElement? LatestMetrics(string name, List<string> problems)
    {
        var last = TextTail.Lines(Workspace.MetricsPath(name), 1).FirstOrDefault();
        if (last is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(last);
            return document.RootElement.Clone();
        }
        catch (JsonException error)
        {
            problems.Add($"The last line of runs/{name}/metrics.jsonl is not JSON: {error.Message}");
            return null;
        }
    }

    private string? ExperimentsRow(string name)
    {
        if (!File.Exists(Workspace.ExperimentsPath))
        {
            return null;
        }

        // The row whose cells include the run name exactly; the latest one when a run was re-trained.
        return File.ReadLines(Workspace.ExperimentsPath)
            .Where(line => line.TrimStart().StartsWith('|'))
            .LastOrDefault(line => line.Split('|').Any(cell => cell.Trim().Trim('`') == name));
    }
}
