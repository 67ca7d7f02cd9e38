namespace StTrain.Server.Mcp.Results;

/// <summary>One template as list_templates shows it.</summary>
/// <param name="Name">Template name for scaffold_from_template.</param>
/// <param name="ModelType">The model type it trains.</param>
/// <param name="Variant">base, matryoshka, lora, listwise, ...</param>
/// <param name="Available">Whether this build can run it.</param>
/// <param name="UnavailableReason">Why not, when not available.</param>
/// <param name="Summary">When to pick it.</param>
/// <param name="IsDefault">The template to start from for its type.</param>
public sealed record TemplateSummary(
    string Name,
    string ModelType,
    string Variant,
    bool Available,
    string? UnavailableReason,
    string Summary,
    bool IsDefault);
