namespace StTrain.Core.Training.Spec;

/// <summary>
/// One entry of `evaluators:`: a registered evaluator type, the name that prefixes its metric keys, the data it
/// reads (file paths by role, e.g. queries/corpus/qrels or a single pairs file) and its parameters.
/// </summary>
public sealed record EvaluatorSpec
{
    public required string Type { get; init; }
    public string Name { get; init; } = "";
    public IReadOnlyDictionary<string, string> Data { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, object?> Params { get; init; } = new Dictionary<string, object?>();
    public int? MaxRows { get; init; }
    public string Location { get; init; } = "";
    public string Field { get; init; } = "";
}
