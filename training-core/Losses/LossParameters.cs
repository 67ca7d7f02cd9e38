namespace StTrain.Core.Losses;

/// <summary>
/// The parameters a run spec gives a loss (e.g. <c>scale: 20</c>, <c>mini_batch_size: 64</c>), with typed getters
/// whose errors name the loss, the parameter, the value and the fix.
/// </summary>
public sealed class LossParameters : ParameterValues
{
    public LossParameters(IReadOnlyDictionary<string, object?>? values = null, string owner = "loss")
        : base(values, owner)
    {
    }

    /// <summary>No parameters: every loss falls back to its defaults.</summary>
    public static LossParameters Empty { get; } = new();

    /// <summary>The same values, reported in errors as belonging to <paramref name="owner"/>.</summary>
    public LossParameters WithOwner(string owner) => new(Values, owner);
}
