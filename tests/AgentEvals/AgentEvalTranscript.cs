namespace StTrain.Tests.AgentEvals;

/// <summary>A scripted agent session: a name, what it exercises, and its steps in order.</summary>
public sealed record AgentEvalTranscript
{
    /// <summary>Scenario name (the file name without .json).</summary>
    public string Name { get; init; } = "";

    /// <summary>What the scenario checks.</summary>
    public string Description { get; init; } = "";

    /// <summary>The steps.</summary>
    public IReadOnlyList<AgentEvalStep> Steps { get; init; } = [];
}
