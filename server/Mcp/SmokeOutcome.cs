namespace StTrain.Server.Mcp;

/// <summary>What a smoke-test process did.</summary>
/// <param name="ExitCode">Its exit code; -1 when it was stopped for exceeding the time limit.</param>
/// <param name="Tail">Its last output lines.</param>
/// <param name="Duration">How long it ran.</param>
/// <param name="TimedOut">Whether it was stopped for exceeding the time limit.</param>
public sealed record SmokeOutcome(int ExitCode, IReadOnlyList<string> Tail, TimeSpan Duration, bool TimedOut);
