using System.Diagnostics;
using System.Reflection;

namespace StTrain.Server.Mcp;

/// <summary>
/// How to start `st-train SUBCOMMAND` as a child: the same executable this server runs from (the apphost, or
/// `dotnet st-train.dll`), never the ./st-train script, so a child cannot trigger a rebuild under a running server.
/// </summary>
public static class StTrainCommand
{
    /// <summary>The program and the leading arguments that make it behave as `st-train`.</summary>
    public static (string FileName, IReadOnlyList<string> Prefix) Resolve()
    {
        var processPath = Environment.ProcessPath
            ?? throw new InvalidOperationException("The path of the running executable is unknown.");
        var host = Path.GetFileNameWithoutExtension(processPath);
        if (string.Equals(host, "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            var entry = Assembly.GetEntryAssembly()?.Location;
            if (string.IsNullOrEmpty(entry))
            {
                throw new InvalidOperationException("Running under dotnet, but the entry assembly path is unknown.");
            }

            return (processPath, [entry]);
        }

        return (processPath, []);
    }

    /// <summary>A start description for `st-train {arguments}` in <paramref name="workingDirectory"/>.</summary>
    public static ProcessStartInfo StartInfo(string workingDirectory, string? contentRoot, params string[] arguments)
    {
        var (fileName, prefix) = Resolve();
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in prefix.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        // The trainer writes runs/ and logs/ under ST_TRAIN_WORKSPACE (else its working directory): set both.
        info.Environment["ST_TRAIN_WORKSPACE"] = workingDirectory;
        if (contentRoot is not null)
        {
            info.Environment["ST_TRAIN_ROOT"] = contentRoot;
        }

        return info;
    }

    /// <summary>The command line as text, for logs and records.</summary>
    public static string Describe(ProcessStartInfo info) =>
        string.Join(' ', new[] { info.FileName }.Concat(info.ArgumentList).Select(Quote));

    private static string Quote(string argument) =>
        argument.Length > 0
        && argument.All(character => !char.IsWhiteSpace(character) && character is not ('"' or '\''))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
