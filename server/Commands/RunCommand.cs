using StTrain.Core.Training;
using StTrain.Core.Training.Spec;

namespace StTrain.Server.Commands;

/// <summary>`st-train train|smoke|validate SPEC`.</summary>
public static class RunCommand
{
    public static int Run(string[] args, bool smoke)
    {
        var cli = new CommandLine(args, new HashSet<string> { "resume", "overwrite" });
        bool resume = !smoke && cli.Flag("resume");
        bool overwrite = !smoke && cli.Flag("overwrite");
        try
        {
            cli.RejectUnknown();
        }
        catch (UsageException error) when (smoke && (error.Message.Contains("--resume", StringComparison.Ordinal)
                                                     || error.Message.Contains("--overwrite", StringComparison.Ordinal)))
        {
            throw new UsageException(error.Message + " (--resume and --overwrite are options of train.)");
        }
        if (cli.Positional.Count != 1)
            throw new UsageException(
                $"give exactly one spec file: ./st-train {(smoke ? "smoke" : "train [--resume|--overwrite]")} " +
                "runs/NAME/spec.yaml");
        if (resume && overwrite)
            throw new UsageException("give --resume or --overwrite, not both: --resume continues a stopped run from " +
                                     "its newest checkpoint, --overwrite trains a finished run again from the start");
        if (!smoke && RunNameOf(cli.Positional[0]) is { } runName
                   && RefusalToRetrain(runName, resume, overwrite) is { } refusal)
        {
            Console.Error.WriteLine($"st-train train: {refusal}");
            return 2;
        }
        IProgress<TrainingProgress>? progress = Console.IsErrorRedirected ? null : new ConsoleProgressBar();
        try
        {
            return RunExecutor.Execute(cli.Positional[0], smoke, RunWorkspace.Current, progress, resume);
        }
        finally
        {
            (progress as ConsoleProgressBar)?.Finish();
        }
    }

    /// <summary>The spec's run_name, or null when the spec does not load (the executor reports why, with lines).</summary>
    private static string? RunNameOf(string specPath)
    {
        try
        {
            return RunSpec.Load(specPath).RunName;
        }
        catch (SpecException)
        {
            return null;
        }
    }

    /// <summary>
    /// Why run <paramref name="runName"/> must not be trained now, or null. Nothing of a finished run is replaced
    /// without --overwrite (its model, log and verdict), and a run that a live process is training is never started
    /// twice.
    /// </summary>
    /// <param name="overwriteHint">How this command is told to replace a finished run.</param>
    internal static string? RefusalToRetrain(string runName, bool resume, bool overwrite,
        string overwriteHint = "add --overwrite")
    {
        var workspace = RunWorkspace.Current;
        var previous = RunResult.TryRead(workspace.ResultPath(runName));
        if (previous is null) return null;
        if (previous.Status == "running" && previous.ProcessId is { } pid && pid != Environment.ProcessId
            && previous.StartedAt is { } started && StTrain.Skill.Runs.ProcessLiveness.IsAlive(pid, started))
            return $"run '{runName}' is being trained right now by process {pid} (started " +
                   $"{started:yyyy-MM-dd HH:mm:ss}). Follow it in {workspace.LogPath(runName)}, or stop that " +
                   "process first.";
        if (previous.Status != "finished" || overwrite) return null;
        string finished = $"run '{runName}' already finished" +
                          (previous.VerdictLine is { } verdict ? $" ({verdict})" : "");
        return resume
            ? $"{finished}, so there is nothing to resume. To train it again from the start, {overwriteHint}."
            : $"{finished}; training it again would replace its model, log and result. To keep it, copy the spec " +
              $"to runs/NEW_NAME/spec.yaml with run_name: NEW_NAME and train that; to replace it, {overwriteHint}.";
    }

    public static int Validate(string[] args)
    {
        var cli = new CommandLine(args);
        cli.RejectUnknown();
        if (cli.Positional.Count != 1) throw new UsageException("give exactly one spec file: ./st-train validate SPEC");
        var spec = RunSpec.Load(cli.Positional[0]);
        var errors = RunSpecValidator.ValidateStatic(spec).ToList();
        if (errors.Count == 0)
        {
            try
            {
                var datasets = spec.Train.Select(d => PreparedDataset.Load(d, spec.Resolve)).ToList();
                errors.AddRange(RunSpecValidator.ValidateData(spec, datasets));
            }
            catch (SpecException error)
            {
                errors.Add(error.ToError());
            }
            errors.AddRange(RunSpecValidator.ValidateModel(spec));
        }
        foreach (var error in errors) Console.Error.WriteLine(error);
        Console.WriteLine(errors.Count == 0
            ? $"{cli.Positional[0]}: valid."
            : $"{cli.Positional[0]}: {errors.Count} problem(s).");
        return errors.Count == 0 ? 0 : 2;
    }
}

/// <summary>A one-line progress bar on stderr for people at a terminal (never used while serving MCP).</summary>
internal sealed class ConsoleProgressBar : IProgress<TrainingProgress>
{
    private bool drawn;

    public void Report(TrainingProgress value)
    {
        const int width = 30;
        int filled = value.TotalSteps == 0 ? width : width * value.Step / value.TotalSteps;
        Console.Error.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {value.Message}   ");
        drawn = true;
    }

    public void Finish()
    {
        if (drawn) Console.Error.WriteLine();
    }
}
