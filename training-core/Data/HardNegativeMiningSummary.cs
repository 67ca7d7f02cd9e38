using System.Globalization;
using System.Text;

namespace StTrain.Core.Data;

/// <summary>What a mining run did: score distributions, candidates skipped per filter, and rows it could not
/// fill.</summary>
public sealed class HardNegativeMiningSummary
{
    /// <summary>Unique queries after de-duplication.</summary>
    public int UniqueQueries { get; init; }

    /// <summary>Corpus size after adding the positives and de-duplicating.</summary>
    public int CorpusSize { get; init; }

    /// <summary>The range_max used (given or derived).</summary>
    public int RangeMax { get; init; }

    /// <summary>The output format used (include_positives forces n-tuple).</summary>
    public required string OutputFormat { get; init; }

    /// <summary>Scores of every (query, positive) pair.</summary>
    public required ScoreStatistics Positive { get; init; }

    /// <summary>Scores of the negatives that made it into the output.</summary>
    public required ScoreStatistics Negative { get; init; }

    /// <summary>Positive minus negative score, per output negative.</summary>
    public required ScoreStatistics Difference { get; init; }

    /// <summary>Per filter (absolute_margin, relative_margin, max_score, min_score): candidates it discarded and
    /// their share of the candidates still in play when it ran.</summary>
    public required IReadOnlyList<(string Filter, double Value, long Skipped, double Ratio)> Skipped { get; init; }

    /// <summary>Rows the output could have had with enough valid negatives.</summary>
    public long MaximumPossibleRows { get; init; }

    /// <summary>Rows the output has.</summary>
    public long Rows { get; init; }

    /// <summary>Notes worth showing (forced options, unused cross-encoder, ...).</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>A plain-text report: the statistics table, the skip counts and the shortfall.</summary>
    public string Format()
    {
        var text = new StringBuilder();
        foreach (string note in Notes) text.Append(note).Append('\n');
        text.Append(CultureInfo.InvariantCulture,
            $"{UniqueQueries:N0} unique queries, corpus of {CorpusSize:N0} texts, range_max {RangeMax}, " +
            $"output {OutputFormat}: {Rows:N0} rows.\n");
        const string row = "{0,-8}{1,14}{2,14}{3,14}\n";
        text.Append(string.Format(CultureInfo.InvariantCulture, row, "", "positive", "negative", "difference"));
        text.Append(string.Format(CultureInfo.InvariantCulture, row, "count", Positive.Count.ToString("N0",
            CultureInfo.InvariantCulture), Negative.Count.ToString("N0", CultureInfo.InvariantCulture), ""));
        foreach (var (name, pick) in new (string, Func<ScoreStatistics, double>)[]
                 {
                     ("mean", s => s.Mean), ("median", s => s.Median), ("std", s => s.Std), ("min", s => s.Min),
                     ("25%", s => s.Q25), ("50%", s => s.Q50), ("75%", s => s.Q75), ("max", s => s.Max),
                 })
        {
            text.Append(string.Format(CultureInfo.InvariantCulture, row, name, F(pick(Positive)),
                F(pick(Negative)), F(pick(Difference))));
        }
        foreach (var (filter, value, skipped, ratio) in Skipped)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{filter} {value}: discarded {skipped:N0} candidates ({ratio:P2}).\n");
        }
        long missing = MaximumPossibleRows - Rows;
        if (missing > 0)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{missing:N0} of {MaximumPossibleRows:N0} possible rows " +
                $"({(double)missing / MaximumPossibleRows:P2}) " +
                $"lack enough valid negatives; a larger range_max, a smaller range_min or looser margins / " +
                $"max_score give more.\n");
        }
        return text.ToString();
    }

    private static string F(double value) =>
        double.IsNaN(value) ? "-" : value.ToString("0.0000", CultureInfo.InvariantCulture);
}
