namespace StTrain.Core.Data;

/// <summary>
/// A data file (dataset, WordNet dict file) that cannot be read as expected. The message names the file, the line or
/// row when known, what was found, and how to fix it, so a CLI can print it without a stack trace.
/// </summary>
public sealed class DataFileException : Exception
{
    public DataFileException(string path, long? line, string problem, string fix, Exception? inner = null)
        : base(Format(path, line, problem, fix), inner)
    {
        FilePath = path;
        Line = line;
        Problem = problem;
        Fix = fix;
    }

    /// <summary>The file that failed.</summary>
    public string FilePath { get; }

    /// <summary>1-based line (text formats) or row number (Parquet, JSON arrays); null when not tied to one
    /// place.</summary>
    public long? Line { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }

    /// <summary>What the user should do about it.</summary>
    public string Fix { get; }

    private static string Format(string path, long? line, string problem, string fix)
    {
        string where = line is null ? path : $"{path}:{line}";
        return $"{where}: {problem} Fix: {fix}";
    }
}
