namespace StTrain.Server.Mcp.Results;

/// <summary>A reference required only under a condition.</summary>
/// <param name="Name">The reference name.</param>
/// <param name="AppliesWhen">The condition.</param>
public sealed record ConditionalReference(string Name, string AppliesWhen);
