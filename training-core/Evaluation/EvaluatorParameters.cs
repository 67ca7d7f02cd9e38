using StTrain.Core.Losses;

namespace StTrain.Core.Evaluation;

/// <summary>
/// The parameters a run spec gives an evaluator (e.g. <c>batch_size: 64</c>, <c>ndcg_at_k: [10]</c>), with typed
/// getters whose errors name the evaluator, the parameter, the value and the fix.
/// </summary>
public sealed class EvaluatorParameters : ParameterValues
{
    public EvaluatorParameters(IReadOnlyDictionary<string, object?>? values = null, string owner = "evaluator")
        : base(values, owner)
    {
    }

    /// <summary>No parameters: every evaluator falls back to its defaults.</summary>
    public static EvaluatorParameters Empty { get; } = new();

    /// <summary>The same values, reported in errors as belonging to <paramref name="owner"/>.</summary>
    public EvaluatorParameters WithOwner(string owner) => new(Values, owner);
}
