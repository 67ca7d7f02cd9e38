namespace StTrain.Server.Mcp.Results;

/// <summary>list_templates: every template, optionally with its YAML.</summary>
/// <param name="Templates">The templates.</param>
/// <param name="Text">The YAML of the one template asked for by name, else null.</param>
public sealed record ListTemplatesResult(IReadOnlyList<TemplateSummary> Templates, string? Text);
