namespace StTrain.Core.Training;

/// <summary>
/// Where runs live: logs/{RUN_NAME}.log, logs/experiments.md and runs/{RUN_NAME}/ under one workspace folder
/// (ST_TRAIN_WORKSPACE, else the current directory).
/// </summary>
public sealed record RunWorkspace(string Root)
{
    public static RunWorkspace Current => new(Path.GetFullPath(
        Environment.GetEnvironmentVariable("ST_TRAIN_WORKSPACE") is { Length: > 0 } root ? root : "."));

    public string LogsDirectory => Path.Combine(Root, "logs");
    public string LogPath(string runName) => Path.Combine(LogsDirectory, $"{runName}.log");
    public string ExperimentsPath => Path.Combine(LogsDirectory, "experiments.md");
    public string RunsDirectory => Path.Combine(Root, "runs");
    public string RunDirectory(string runName) => Path.Combine(RunsDirectory, runName);
    public string ResultPath(string runName) => Path.Combine(RunDirectory(runName), "result.json");
    public string MetricsPath(string runName) => Path.Combine(RunDirectory(runName), "metrics.jsonl");
    public string CurvesPath(string runName) => Path.Combine(RunDirectory(runName), "curves.png");
}
