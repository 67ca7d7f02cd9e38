namespace StTrain.Skill;

/// <summary>
/// A request the skill refuses or cannot serve, with a message written for the agent: what was wrong and what to
/// do instead. The MCP server turns it into a tool error; nothing else is expected to catch it.
/// </summary>
public sealed class SkillException(string message) : Exception(message);
