using System.Globalization;

namespace StTrain.Core.Training;

/// <summary>logs/experiments.md: one Markdown table row per finished run, the header written once.</summary>
public static class ExperimentsLog
{
    public const string Header =
        "| run | date | base model | data | loss | evaluator | baseline | score | delta | verdict | time |\n" +
        "|---|---|---|---|---|---|---|---|---|---|---|";

    public static string Row(string run, string baseModel, string data, string loss, string evaluator, Verdict verdict,
        TimeSpan elapsed)
    {
        static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');
        string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
        string date = DateTime.Now.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        string time = elapsed.TotalHours >= 1 ? elapsed.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
            : elapsed.ToString(@"m\:ss", CultureInfo.InvariantCulture);
        return $"| {Cell(run)} | {date} | {Cell(baseModel)} | {Cell(data)} | {Cell(loss)} | {Cell(evaluator)} | " +
               $"{F(verdict.Baseline)} | {F(verdict.Score)} | {(verdict.Delta >= 0 ? "+" : "")}{F(verdict.Delta)} | " +
               $"{verdict.Outcome} | {time} |";
    }

    public static void Append(string path, string row)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        bool empty = stream.Length == 0;
        stream.Seek(0, SeekOrigin.End);
        using var writer = new StreamWriter(stream);
        if (empty) writer.WriteLine("# Experiments\n\n" + Header);
        writer.WriteLine(row);
    }
}
