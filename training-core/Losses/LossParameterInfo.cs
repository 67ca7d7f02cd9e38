namespace StTrain.Core.Losses;

/// <summary>
/// One constructor argument of a loss or evaluator, as a run spec writes it.
/// </summary>
/// <param name="Name">The snake_case name used by sentence-transformers (e.g. "scale", "mini_batch_size").</param>
/// <param name="Type">"float", "int", "bool", "string", "int[]", "float[]" or "string[]".</param>
/// <param name="Default">The default value, or null when the parameter has no default.</param>
/// <param name="Description">One line on what it does.</param>
/// <param name="AllowedValues">For string parameters with a closed set of values; null otherwise.</param>
/// <param name="Required">True when the spec must give it (there is no sensible default).</param>
public sealed record LossParameterInfo(
    string Name,
    string Type,
    object? Default,
    string Description,
    IReadOnlyList<string>? AllowedValues = null,
    bool Required = false);
