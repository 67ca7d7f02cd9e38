namespace StTrain.Skill.Runs;

/// <summary>
/// Where a run's files live, relative to the workspace root the trainer runs in: runs/{RUN_NAME}/ for the spec,
/// result, metrics, curves and the server's own records, logs/ for the tee log and the experiments table.
/// </summary>
public sealed class RunWorkspace(string root)
{
    /// <summary>The workspace root (the folder `st-train` commands run in).</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>runs/ under the root.</summary>
    public string RunsDirectory => Path.Combine(Root, "runs");

    /// <summary>runs/{name}/.</summary>
    public string RunDirectory(string name) => Path.Combine(RunsDirectory, RunNames.Validate(name));

    /// <summary>runs/{name}/spec.yaml.</summary>
    public string SpecPath(string name) => Path.Combine(RunDirectory(name), "spec.yaml");

    /// <summary>The spec path as the child command receives it, relative to the root.</summary>
    public static string RelativeSpecPath(string name) => $"runs/{RunNames.Validate(name)}/spec.yaml";

    /// <summary>runs/{name}/result.json, written by the trainer.</summary>
    public string ResultPath(string name) => Path.Combine(RunDirectory(name), "result.json");

    /// <summary>runs/{name}/metrics.jsonl, written by the trainer.</summary>
    public string MetricsPath(string name) => Path.Combine(RunDirectory(name), "metrics.jsonl");

    /// <summary>runs/{name}/curves.png, written by the trainer.</summary>
    public string CurvesPath(string name) => Path.Combine(RunDirectory(name), "curves.png");

    /// <summary>runs/{name}/smoke.json: the server's record of the last smoke test.</summary>
    public string SmokeRecordPath(string name) => Path.Combine(RunDirectory(name), "smoke.json");

    /// <summary>runs/{name}/scaffold.json: the template the spec came from.</summary>
    public string ScaffoldRecordPath(string name) => Path.Combine(RunDirectory(name), "scaffold.json");

    /// <summary>runs/{name}/launch.json: the server's record of the training process it started.</summary>
    public string LaunchRecordPath(string name) => Path.Combine(RunDirectory(name), "launch.json");

    /// <summary>runs/{name}/train.console.log: everything the training process printed.</summary>
    public string ConsoleLogPath(string name) => Path.Combine(RunDirectory(name), "train.console.log");

    /// <summary>runs/{name}/smoke.console.log: everything the last smoke test printed.</summary>
    public string SmokeLogPath(string name) => Path.Combine(RunDirectory(name), "smoke.console.log");

    /// <summary>logs/{name}.log: the trainer's tee of every line.</summary>
    public string LogPath(string name) => Path.Combine(Root, "logs", RunNames.Validate(name) + ".log");

    /// <summary>logs/experiments.md: one table row per run.</summary>
    public string ExperimentsPath => Path.Combine(Root, "logs", "experiments.md");

    /// <summary>A path shown to clients: relative to the root when inside it.</summary>
    public string Display(string path)
    {
        var relative = Path.GetRelativePath(Root, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative.Replace('\\', '/');
    }
}
