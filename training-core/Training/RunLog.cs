using System.Globalization;
using System.Text.RegularExpressions;

namespace StTrain.Core.Training;

/// <summary>
/// The run's log: every line goes to the console (stdout, or stderr when asked) and to logs/{RUN_NAME}.log.
/// Secrets are masked before anything is written: values of environment variables whose names say TOKEN, KEY,
/// SECRET or PASSWORD, and strings shaped like Hugging Face tokens.
/// </summary>
public sealed partial class RunLog : IDisposable
{
    private readonly object gate = new();
    private readonly StreamWriter? file;
    private readonly TextWriter console;
    private readonly string[] secrets;
    private readonly bool clearLine;

    public string? FilePath { get; }

    public RunLog(string? filePath, bool consoleToStderr = false, bool append = true)
    {
        console = consoleToStderr ? Console.Error : Console.Out;
        clearLine = !(consoleToStderr ? Console.IsErrorRedirected : Console.IsOutputRedirected) && !Console.IsErrorRedirected;
        if (filePath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(filePath))!);
            file = new StreamWriter(filePath, append) { AutoFlush = true };
            FilePath = Path.GetFullPath(filePath);
        }
        secrets = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => SecretName().IsMatch(k))
            .Select(k => Environment.GetEnvironmentVariable(k) ?? "")
            .Where(v => v.Length >= 8)
            .ToArray();
    }

    [GeneratedRegex("TOKEN|SECRET|PASSWORD|API_?KEY|ACCESS_?KEY", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"\bhf_[A-Za-z0-9]{16,}\b")]
    private static partial Regex HubToken();

    public string Mask(string text)
    {
        foreach (string secret in secrets) text = text.Replace(secret, "***", StringComparison.Ordinal);
        return HubToken().Replace(text, "hf_***");
    }

    /// <summary>A timestamped line: "2026-12-04 18:20:01 | INFO | message".</summary>
    public void Info(string message) => Write("INFO", message);

    public void Warn(string message) => Write("WARN", message);

    public void Error(string message) => Write("ERROR", message);

    private void Write(string level, string message)
    {
        string stamp = DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        Raw($"{stamp} | {level,-5} | {message}");
    }

    /// <summary>
    /// A line exactly as given (used for the VERDICT line, which monitors match from the line start).
    /// </summary>
    public void Raw(string line)
    {
        line = Mask(line);
        lock (gate)
        {
            // At a terminal a progress bar may occupy the current line (on stderr): clear it first.
            console.WriteLine(clearLine ? "\r\u001b[2K" + line : line);
            file?.WriteLine(line);
        }
    }

    public void Dispose() => file?.Dispose();
}
