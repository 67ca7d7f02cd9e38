namespace StTrain.Server.Mcp.Results;

/// <summary>run_status: one run, or every run in the workspace.</summary>
/// <param name="Runs">The runs.</param>
public sealed record RunStatusResult(IReadOnlyList<RunStatusEntry> Runs);
