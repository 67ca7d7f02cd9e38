namespace StTrain.Server.Mcp.Results;

/// <summary>evaluate: a model scored by a run spec's evaluators.</summary>
/// <param name="RunName">The run whose spec supplied the evaluators.</param>
/// <param name="Model">Which model was scored: "base" or "final".</param>
/// <param name="ModelPath">The model id or folder that was loaded.</param>
/// <param name="Metrics">Every metric, keyed as in training logs (eval_{evaluator}_{metric}).</param>
/// <param name="PrimaryMetric">The run's verdict metric, when the evaluators produced it.</param>
/// <param name="PrimaryValue">Its value.</param>
/// <param name="DurationSeconds">How long the evaluation took.</param>
/// <param name="LogPath">Where its full output was saved.</param>
public sealed record EvaluateResult(
    string RunName,
    string Model,
    string ModelPath,
    IReadOnlyDictionary<string, double> Metrics,
    string? PrimaryMetric,
    double? PrimaryValue,
    double DurationSeconds,
    string LogPath);
