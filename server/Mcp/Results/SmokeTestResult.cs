namespace StTrain.Server.Mcp.Results;

/// <summary>smoke_test: whether `st-train smoke` passed on the spec as it is now.</summary>
/// <param name="RunName">The run name.</param>
/// <param name="Passed">Whether the smoke test exited 0.</param>
/// <param name="ExitCode">Its exit code (-1 when it was stopped for running too long).</param>
/// <param name="LogTail">The last lines it printed.</param>
/// <param name="SpecHash">SHA-256 of the spec tested; train accepts only this version.</param>
/// <param name="DurationSeconds">How long it ran.</param>
/// <param name="LogPath">Where its full output was saved.</param>
/// <param name="Troubleshooting">The matching troubleshooting entry when it failed.</param>
public sealed record SmokeTestResult(
    string RunName,
    bool Passed,
    int ExitCode,
    IReadOnlyList<string> LogTail,
    string SpecHash,
    double DurationSeconds,
    string LogPath,
    TroubleshootingMatch? Troubleshooting);
