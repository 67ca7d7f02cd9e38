using System.Diagnostics;
using StTrain.Tests.Mcp;

namespace StTrain.Tests.Support;

/// <summary>Runs the built st-train.dll as a user would, for what only the process shows: exit codes, the exact
/// stderr text, and that no exception escapes with a stack trace.</summary>
public static class CliProcess
{
    public sealed record Outcome(int Code, string Stdout, string Stderr);

    public static Outcome Run(string workingDirectory, IReadOnlyDictionary<string, string>? environment,
        params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(RepositoryPaths.ServerAssembly);
        foreach (string arg in args) start.ArgumentList.Add(arg);
        start.Environment["ST_TRAIN_WORKSPACE"] = workingDirectory;
        start.Environment.Remove("ST_TRAIN_DEBUG");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new Outcome(process.ExitCode, stdout, stderr.Result);
    }

    public static Outcome Run(string workingDirectory, params string[] args) => Run(workingDirectory, null, args);
}
