namespace StTrain.Server.Mcp.Results;

/// <summary>mine_hard_negatives: the mined file and how mining went.</summary>
/// <param name="OutputPath">The mined dataset, relative to the workspace.</param>
/// <param name="RowCount">Rows written.</param>
/// <param name="Columns">Its columns (anchor, positive, negative or negative_1..n, label or scores).</param>
/// <param name="Summary">Score statistics, filter counts and the shortfall.</param>
/// <param name="DurationSeconds">How long the mining process ran.</param>
/// <param name="LogPath">Everything the mining process printed, relative to the workspace.</param>
public sealed record MineHardNegativesResult(
    string OutputPath,
    long RowCount,
    IReadOnlyList<string> Columns,
    MiningSummary Summary,
    double DurationSeconds,
    string LogPath);
