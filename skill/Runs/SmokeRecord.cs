namespace StTrain.Skill.Runs;

/// <summary>runs/{RUN}/smoke.json: the outcome of the last smoke test and the spec version it tested.</summary>
/// <param name="SpecHash">SHA-256 of spec.yaml as tested.</param>
/// <param name="Passed">Whether `st-train smoke` exited 0.</param>
/// <param name="ExitCode">The smoke process's exit code.</param>
/// <param name="FinishedAt">When it ended (UTC, ISO 8601).</param>
public sealed record SmokeRecord(string SpecHash, bool Passed, int ExitCode, DateTimeOffset FinishedAt);
