namespace StTrain.Skill.References;

/// <summary>One symptom section of troubleshooting.md.</summary>
/// <param name="Heading">The "## " heading (the symptom).</param>
/// <param name="Body">The section text under the heading.</param>
/// <param name="Patterns">Regular expressions from its "Log patterns:" line, matched case-insensitively.</param>
public sealed record TroubleshootingEntry(string Heading, string Body, IReadOnlyList<string> Patterns);
