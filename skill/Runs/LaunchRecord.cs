namespace StTrain.Skill.Runs;

/// <summary>runs/{RUN}/launch.json: the training process the server started, so a restarted server finds it.</summary>
/// <param name="ProcessId">Operating-system id of the `st-train train` process.</param>
/// <param name="StartedAt">When it was started (UTC).</param>
/// <param name="SpecHash">SHA-256 of the spec it was started on.</param>
/// <param name="Command">The command line, for the record.</param>
/// <param name="ExitCode">Filled in when the server saw the process exit.</param>
/// <param name="ExitedAt">When the server saw it exit.</param>
public sealed record LaunchRecord(
    int ProcessId,
    DateTimeOffset StartedAt,
    string SpecHash,
    string Command,
    int? ExitCode = null,
    DateTimeOffset? ExitedAt = null);
