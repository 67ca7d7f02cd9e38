using StTrain.Skill.Routing;

namespace StTrain.Skill.Templates;

/// <summary>A run-spec template under templates/ and what it needs from training-core.</summary>
/// <param name="Name">Template name (file name without ".yaml").</param>
/// <param name="ModelType">The model type it trains; decides the required reading.</param>
/// <param name="Variant">"base" or the recipe it adds (matryoshka, lora, listwise, ...).</param>
/// <param name="Summary">When to pick it, one line.</param>
/// <param name="Requires">Core capabilities that must be present for its runs to work.</param>
/// <param name="IsDefault">True for the template to start from when nothing more specific fits its type.</param>
public sealed record TemplateInfo(
    string Name,
    ModelType ModelType,
    string Variant,
    string Summary,
    IReadOnlyList<CoreFeature> Requires,
    bool IsDefault = false)
{
    /// <summary>The file name inside templates/.</summary>
    public string FileName => Name + ".yaml";

    /// <summary>The capabilities this build lacks; empty when the template is available.</summary>
    public IReadOnlyList<CoreFeature> Missing => Requires.Where(feature => !feature.IsPresent()).ToList();

    /// <summary>Whether every required capability is present in this build.</summary>
    public bool Available => Missing.Count == 0;

    /// <summary>Why the template cannot be used yet; null when it is available.</summary>
    public string? UnavailableReason => Available
        ? null
        : $"Not available in this build: training-core lacks {string.Join("; ", Missing.Select(Describe))}.";

    private static string Describe(CoreFeature feature) => $"{feature.Description} ({feature.TypeList})";
}
