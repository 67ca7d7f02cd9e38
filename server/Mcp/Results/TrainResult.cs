namespace StTrain.Server.Mcp.Results;

/// <summary>train: the training process that was started (or its state when waited on).</summary>
/// <param name="RunName">The run name.</param>
/// <param name="Status">running, finished or failed.</param>
/// <param name="LogPath">logs/{RUN_NAME}.log, the trainer's log.</param>
/// <param name="ConsoleLogPath">runs/{RUN_NAME}/train.console.log, everything the process printed.</param>
/// <param name="ProcessId">The training process id.</param>
/// <param name="SpecHash">The spec version being trained.</param>
public sealed record TrainResult(
    string RunName,
    string Status,
    string LogPath,
    string ConsoleLogPath,
    int ProcessId,
    string SpecHash);
