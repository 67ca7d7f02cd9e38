namespace StTrain.Skill.Runs;

/// <summary>runs/{RUN}/scaffold.json: which template a spec came from, so later steps know its model type.</summary>
/// <param name="Template">The template name.</param>
/// <param name="ModelType">The model type the template trains.</param>
/// <param name="ScaffoldedAt">When the spec was written (UTC).</param>
public sealed record ScaffoldRecord(string Template, string ModelType, DateTimeOffset ScaffoldedAt);
