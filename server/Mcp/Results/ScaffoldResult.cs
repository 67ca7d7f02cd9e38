namespace StTrain.Server.Mcp.Results;

/// <summary>scaffold_from_template: the spec that was written.</summary>
/// <param name="RunName">The run name.</param>
/// <param name="SpecPath">runs/{RUN_NAME}/spec.yaml, relative to the workspace.</param>
/// <param name="Spec">The spec's YAML text.</param>
/// <param name="Warnings">Things to fix or know before the smoke test.</param>
/// <param name="Template">The template used.</param>
/// <param name="ModelType">The model type the run trains.</param>
/// <param name="SpecHash">SHA-256 of the written spec.</param>
public sealed record ScaffoldResult(
    string RunName,
    string SpecPath,
    string Spec,
    IReadOnlyList<string> Warnings,
    string Template,
    string ModelType,
    string SpecHash);
