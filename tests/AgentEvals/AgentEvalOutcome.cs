namespace StTrain.Tests.AgentEvals;

/// <summary>How one transcript went.</summary>
/// <param name="Name">Scenario name.</param>
/// <param name="StepsPassed">Steps whose expectations held.</param>
/// <param name="StepsRun">Steps executed (a stop ends the transcript early).</param>
/// <param name="Failures">One line per failed expectation.</param>
/// <param name="StoppedBecause">Set when a stop condition ended the transcript.</param>
public sealed record AgentEvalOutcome(
    string Name, int StepsPassed, int StepsRun, IReadOnlyList<string> Failures, string? StoppedBecause)
{
    /// <summary>Whether every executed step held.</summary>
    public bool Passed => Failures.Count == 0;
}
