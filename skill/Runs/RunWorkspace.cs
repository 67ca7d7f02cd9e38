using TrainerWorkspace = StTrain.Core.Training.RunWorkspace;

namespace StTrain.Skill.Runs;

/// <summary>
/// Where a run's files live, relative to the workspace root the trainer runs in: runs/{RUN_NAME}/ for the spec,
/// result, metrics, curves and the server's own records, logs/ for the tee log and the experiments table. The files
/// the trainer writes are located by the core's <see cref="TrainerWorkspace"/>, so their paths are defined once;
/// this class adds run-name validation and the server's own records.
/// </summary>
public sealed class RunWorkspace(string root)
{
    /// <summary>The trainer's view of the same workspace (result, metrics, curves, log, experiments table).</summary>
    public TrainerWorkspace Trainer { get; } = new(Path.GetFullPath(root));

    /// <summary>
    /// Where paths really lead: every run file below is refused when a symbolic link carries it outside the workspace.
    /// </summary>
    public WorkspaceBoundary Boundary { get; } = new(root);

    /// <summary>The workspace root (the folder `st-train` commands run in).</summary>
    public string Root => Trainer.Root;

    /// <summary>runs/ under the root.</summary>
    public string RunsDirectory => Trainer.RunsDirectory;

    /// <summary>
    /// runs/{name}/; <see cref="SkillException"/> when the name is not allowed or the folder really lies outside the
    /// workspace (a symbolic link).
    /// </summary>
    public string RunDirectory(string name) => Inside(name, Trainer.RunDirectory(RunNames.Validate(name)));

    /// <summary>runs/{name}/spec.yaml.</summary>
    public string SpecPath(string name) => RunFile(name, "spec.yaml");

    /// <summary>The spec path as the child command receives it, relative to the root.</summary>
    public static string RelativeSpecPath(string name) => $"runs/{RunNames.Validate(name)}/spec.yaml";

    /// <summary>runs/{name}/result.json, written by the trainer.</summary>
    public string ResultPath(string name) => Inside(name, Trainer.ResultPath(RunNames.Validate(name)));

    /// <summary>runs/{name}/metrics.jsonl, written by the trainer.</summary>
    public string MetricsPath(string name) => Inside(name, Trainer.MetricsPath(RunNames.Validate(name)));

    /// <summary>runs/{name}/curves.png, written by the trainer.</summary>
    public string CurvesPath(string name) => Inside(name, Trainer.CurvesPath(RunNames.Validate(name)));

    /// <summary>runs/{name}/smoke.json: the server's record of the last smoke test.</summary>
    public string SmokeRecordPath(string name) => RunFile(name, "smoke.json");

    /// <summary>runs/{name}/scaffold.json: the template the spec came from.</summary>
    public string ScaffoldRecordPath(string name) => RunFile(name, "scaffold.json");

    /// <summary>runs/{name}/launch.json: the server's record of the training process it started.</summary>
    public string LaunchRecordPath(string name) => RunFile(name, "launch.json");

    /// <summary>runs/{name}/train.console.log: everything the training process printed.</summary>
    public string ConsoleLogPath(string name) => RunFile(name, "train.console.log");

    /// <summary>runs/{name}/smoke.console.log: everything the last smoke test printed.</summary>
    public string SmokeLogPath(string name) => RunFile(name, "smoke.console.log");

    /// <summary>runs/{name}/evaluate-{model}.json: the metrics the evaluate tool's child wrote.</summary>
    public string EvaluationPath(string name, string model) => RunFile(name, $"evaluate-{model}.json");

    /// <summary>runs/{name}/evaluate-{model}.console.log: everything the evaluate tool's child printed.</summary>
    public string EvaluationLogPath(string name, string model) => RunFile(name, $"evaluate-{model}.console.log");

    /// <summary>logs/{name}.log: the trainer's tee of every line.</summary>
    public string LogPath(string name) => Inside(name, Trainer.LogPath(RunNames.Validate(name)));

    /// <summary>logs/experiments.md: one table row per run.</summary>
    public string ExperimentsPath => Boundary.Require("logs/experiments.md", "logs/experiments.md",
        Trainer.ExperimentsPath, "Replace the symbolic link with a file (or remove it) inside the workspace.");

    /// <summary>Whether runs/{name}/ really lies inside the workspace (false for a link that leads out).</summary>
    public bool IsInside(string name) => Boundary.Contains(Trainer.RunDirectory(name));

    /// <summary>A path shown to clients: relative to the root when inside it.</summary>
    public string Display(string path)
    {
        var relative = Path.GetRelativePath(Root, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative.Replace('\\', '/');
    }

    private string RunFile(string name, string file) => Inside(name, Path.Combine(RunDirectory(name), file));

    // A run's files are refused when a symbolic link (the run folder, runs/, logs/ or the file) leads outside.
    private string Inside(string name, string path) => Boundary.Require("run_name", name, path,
        $"A run's files must stay inside the workspace: remove the symbolic link (runs/{name}, or the file or "
        + "folder on the way) or point it inside the workspace, or choose another run_name.");
}
