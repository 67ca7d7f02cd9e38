using StTrain.Core.Training;
using StTrain.Core.Training.Spec;

namespace StTrain.Server.Commands;

/// <summary>`st-train train|smoke|validate SPEC`.</summary>
public static class RunCommand
{
    public static int Run(string[] args, bool smoke)
    {
        var cli = new CommandLine(args, new HashSet<string> { "resume" });
        bool resume = !smoke && cli.Flag("resume");
        cli.RejectUnknown();
        if (cli.Positional.Count != 1)
            throw new UsageException(
                $"give exactly one spec file: ./st-train {(smoke ? "smoke" : "train [--resume]")} runs/NAME/spec.yaml");
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
            try
            {
                StTrain.Core.Models.ModelResolver.Resolve(spec.Model.Id);
            }
            catch (Exception error) when (error is DirectoryNotFoundException or ArgumentException)
            {
                errors.Add(new SpecError("model.id", spec.SourcePath, error.Message.TrimEnd('.'),
                    "use a local model folder, a model in the Hugging Face cache, or a bundled id"));
            }
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
