using System.Text.Json;
using RunResult = StTrain.Core.Training.RunResult;

namespace StTrain.Skill.Runs;

/// <summary>Everything the run's files say about it at one moment.</summary>
public sealed record RunSnapshot
{
    /// <summary>The run name.</summary>
    public required string RunName { get; init; }

    /// <summary>The overall status.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>SHA-256 of the spec as it is now; null without a spec.</summary>
    public string? SpecHash { get; init; }

    /// <summary>The last smoke test, if any.</summary>
    public SmokeRecord? Smoke { get; init; }

    /// <summary>True when the last smoke test passed on the spec as it is now.</summary>
    public bool SmokePassedForCurrentSpec { get; init; }

    /// <summary>The training launch, if any.</summary>
    public LaunchRecord? Launch { get; init; }

    /// <summary>The trainer's result.json for the training run (smoke results are not shown here).</summary>
    public RunResult? Result { get; init; }

    /// <summary>The error when failed: from result.json, or what the server saw of the process.</summary>
    public string? Error { get; init; }

    /// <summary>The last line of metrics.jsonl.</summary>
    public JsonElement? LatestMetrics { get; init; }

    /// <summary>This run's row of logs/experiments.md.</summary>
    public string? ExperimentsRow { get; init; }

    /// <summary>The last lines of the run log (logs/{RUN}.log, else the console capture).</summary>
    public IReadOnlyList<string> LogTail { get; init; } = [];

    /// <summary>Whether runs/{RUN}/curves.png exists.</summary>
    public bool HasCurves { get; init; }

    /// <summary>Files that exist but could not be read, and similar oddities.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
}
