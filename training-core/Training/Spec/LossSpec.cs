namespace StTrain.Core.Training.Spec;

/// <summary>
/// The `loss:` section: a registered loss, its parameters, and an optional wrapper (e.g. MatryoshkaLoss).
/// </summary>
public sealed record LossSpec
{
    public required string Name { get; init; }
    public IReadOnlyDictionary<string, object?> Params { get; init; } = new Dictionary<string, object?>();
    public LossSpec? Wrapper { get; init; }
    public string Location { get; init; } = "";
    public string Field { get; init; } = "loss";
}
