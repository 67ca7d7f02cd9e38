using System.Text.Json;

namespace StTrain.Skill.Runs;

/// <summary>runs/{RUN}/result.json as the trainer writes it. Every field is optional when read.</summary>
public sealed record RunResult
{
    /// <summary>The run's name.</summary>
    public string? RunName { get; init; }

    /// <summary>running | finished | failed.</summary>
    public string? Status { get; init; }

    /// <summary>WIN | MARGINAL | REGRESSION once finished.</summary>
    public string? Verdict { get; init; }

    /// <summary>The primary metric after training.</summary>
    public double? Score { get; init; }

    /// <summary>The primary metric before training.</summary>
    public double? Baseline { get; init; }

    /// <summary>Score minus baseline.</summary>
    public double? Delta { get; init; }

    /// <summary>The metric key the verdict is computed on (eval_{name}_{metric}).</summary>
    public string? PrimaryMetric { get; init; }

    /// <summary>Where the trained model was saved.</summary>
    public string? ModelPath { get; init; }

    /// <summary>The final evaluation metrics by key.</summary>
    public Dictionary<string, JsonElement>? Metrics { get; init; }

    /// <summary>The error message when the run failed.</summary>
    public string? Error { get; init; }

    /// <summary>Start time as the trainer wrote it.</summary>
    public string? StartedAt { get; init; }

    /// <summary>End time as the trainer wrote it.</summary>
    public string? FinishedAt { get; init; }

    /// <summary>Whether the result came from a smoke run.</summary>
    public JsonElement? Smoke { get; init; }

    /// <summary>The trainer process's id while it runs (written by the trainer as "pid").</summary>
    [System.Text.Json.Serialization.JsonPropertyName("pid")]
    public int? ProcessId { get; init; }

    /// <summary>The row the run appended to logs/experiments.md.</summary>
    public string? ExperimentsRow { get; init; }

    /// <summary>The VERDICT line as printed.</summary>
    public string? VerdictLine { get; init; }

    /// <summary>Optimizer steps done so far.</summary>
    public int? GlobalStep { get; init; }

    /// <summary>Optimizer steps planned.</summary>
    public int? TotalSteps { get; init; }
}
