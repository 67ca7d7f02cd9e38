using StTrain.Core.Data;

namespace StTrain.Server.Mcp.Results;

/// <summary>A score distribution; the statistics are null when there were no scores (JSON has no NaN).</summary>
/// <param name="Count">How many scores.</param>
/// <param name="Mean">Their mean.</param>
/// <param name="Median">The lower middle value.</param>
/// <param name="Std">Unbiased standard deviation (null for fewer than two scores).</param>
/// <param name="Min">Smallest.</param>
/// <param name="Q25">First quartile.</param>
/// <param name="Q75">Third quartile.</param>
/// <param name="Max">Largest.</param>
public sealed record ScoreSummary(
    long Count, double? Mean, double? Median, double? Std, double? Min, double? Q25, double? Q75, double? Max)
{
    /// <summary>The summary of the miner's statistics.</summary>
    public static ScoreSummary From(ScoreStatistics statistics) => new(statistics.Count, Finite(statistics.Mean),
        Finite(statistics.Median), Finite(statistics.Std), Finite(statistics.Min), Finite(statistics.Q25),
        Finite(statistics.Q75), Finite(statistics.Max));

    private static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 6) : null;
}
