using System.Text.Json;

namespace StTrain.Server.Mcp.Results;

/// <summary>report_verdict: the outcome of a training run.</summary>
/// <param name="RunName">The run name.</param>
/// <param name="Status">running, finished or failed.</param>
/// <param name="Verdict">WIN, MARGINAL or REGRESSION when finished.</param>
/// <param name="Score">Primary metric after training.</param>
/// <param name="Baseline">Primary metric before training.</param>
/// <param name="Delta">Score minus baseline.</param>
/// <param name="PrimaryMetric">The metric key the verdict uses.</param>
/// <param name="ModelPath">Where the trained model was saved.</param>
/// <param name="Metrics">Final metrics (when finished) or the latest logged ones (while running).</param>
/// <param name="ExperimentsRow">This run's row in logs/experiments.md.</param>
/// <param name="Proposals">Next experiments to try after a MARGINAL or REGRESSION verdict.</param>
/// <param name="Error">What went wrong, when failed.</param>
/// <param name="Troubleshooting">The matching troubleshooting entry, when failed and one matches.</param>
/// <param name="LogTail">The last log lines.</param>
/// <param name="CurvesPath">runs/{RUN_NAME}/curves.png when it exists (also attached as an image).</param>
public sealed record VerdictResult(
    string RunName,
    string Status,
    string? Verdict,
    double? Score,
    double? Baseline,
    double? Delta,
    string? PrimaryMetric,
    string? ModelPath,
    IReadOnlyDictionary<string, double>? Metrics,
    string? ExperimentsRow,
    IReadOnlyList<string> Proposals,
    string? Error,
    TroubleshootingMatch? Troubleshooting,
    IReadOnlyList<string> LogTail,
    string? CurvesPath);
