namespace StTrain.Server.Mcp.Results;

/// <summary>One run in run_status.</summary>
/// <param name="RunName">The run name.</param>
/// <param name="Status">unknown, scaffolded, smoke_passed, running, finished or failed; in a listing, refused for a run
/// whose files lead outside the workspace (Error says which).</param>
/// <param name="SmokePassedForCurrentSpec">Whether train would accept the spec as it is now.</param>
/// <param name="Verdict">The verdict when finished.</param>
/// <param name="Error">The error when failed.</param>
/// <param name="LatestLogLine">The last line of the run log.</param>
/// <param name="NextStep">What to call next.</param>
public sealed record RunStatusEntry(
    string RunName,
    string Status,
    bool SmokePassedForCurrentSpec,
    string? Verdict,
    string? Error,
    string? LatestLogLine,
    string NextStep);
