namespace StTrain.Skill.Specs;

/// <summary>A spec produced from a template: its YAML text and what the caller should know about it.</summary>
/// <param name="Text">The YAML to write to runs/{RUN_NAME}/spec.yaml.</param>
/// <param name="Document">The same text, parsed.</param>
/// <param name="Warnings">Non-fatal findings: dropped comments, missing data files, unusual values.</param>
public sealed record ScaffoldedSpec(string Text, SpecDocument Document, IReadOnlyList<string> Warnings);
