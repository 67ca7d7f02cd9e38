namespace StTrain.Server.Mcp.Results;

/// <summary>What one mining filter discarded.</summary>
/// <param name="Filter">absolute_margin, relative_margin, max_score or min_score.</param>
/// <param name="Value">The filter's setting.</param>
/// <param name="Skipped">Candidates it discarded.</param>
/// <param name="Ratio">Their share of the candidates still in play when it ran.</param>
public sealed record FilterSkip(string Filter, double Value, long Skipped, double Ratio);
