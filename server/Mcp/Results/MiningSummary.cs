using System.Text.Json;
using StTrain.Core.Data;

namespace StTrain.Server.Mcp.Results;

/// <summary>
/// How a hard-negative mining run went, as `st-train mine-hard-negatives --summary-json` writes it and the
/// mine_hard_negatives tool returns it.
/// </summary>
/// <param name="Rows">Rows written.</param>
/// <param name="Columns">The output's columns.</param>
/// <param name="UniqueQueries">Distinct anchors.</param>
/// <param name="CorpusSize">Distinct candidate texts.</param>
/// <param name="RangeMax">The range_max used (given or derived).</param>
/// <param name="OutputFormat">The format used (include_positives forces n-tuple).</param>
/// <param name="Positive">Scores of the (anchor, positive) pairs.</param>
/// <param name="Negative">Scores of the negatives written.</param>
/// <param name="Difference">Positive minus negative score, per negative written.</param>
/// <param name="Skipped">Candidates each filter discarded.</param>
/// <param name="MaximumPossibleRows">Rows the output would have with enough valid negatives.</param>
/// <param name="Notes">Forced options and other remarks.</param>
public sealed record MiningSummary(
    long Rows,
    IReadOnlyList<string> Columns,
    int UniqueQueries,
    int CorpusSize,
    int RangeMax,
    string OutputFormat,
    ScoreSummary Positive,
    ScoreSummary Negative,
    ScoreSummary Difference,
    IReadOnlyList<FilterSkip> Skipped,
    long MaximumPossibleRows,
    IReadOnlyList<string> Notes)
{
    /// <summary>snake_case, as in every structured result.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>The summary of a finished mining run.</summary>
    public static MiningSummary From(HardNegativeMiningResult result) => new(result.Dataset.Count,
        result.Dataset.ColumnNames.ToList(), result.Summary.UniqueQueries, result.Summary.CorpusSize,
        result.Summary.RangeMax, result.Summary.OutputFormat, ScoreSummary.From(result.Summary.Positive),
        ScoreSummary.From(result.Summary.Negative), ScoreSummary.From(result.Summary.Difference),
        result.Summary.Skipped.Select(s => new FilterSkip(s.Filter, s.Value, s.Skipped, s.Ratio)).ToList(),
        result.Summary.MaximumPossibleRows, result.Summary.Notes);
}
