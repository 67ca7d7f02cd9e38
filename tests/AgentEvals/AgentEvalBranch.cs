namespace StTrain.Tests.AgentEvals;

/// <summary>An expectation chosen by an earlier value: "smoke.passed", or "template:NAME.available".</summary>
public sealed record AgentEvalBranch
{
    /// <summary>The value that picks the case.</summary>
    public string Ref { get; init; } = "";

    /// <summary>Expectations by the value's text ("true", "false", ...).</summary>
    public Dictionary<string, AgentEvalExpectation> Cases { get; init; } = [];
}
