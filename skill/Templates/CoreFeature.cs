namespace StTrain.Skill.Templates;

/// <summary>
/// A training-core capability a template depends on, detected by a public type that implements it. Detection by
/// type name keeps this table honest without compile-time references to code that may not have landed yet.
/// </summary>
/// <param name="Description">What the capability is, for the "unavailable" reason.</param>
/// <param name="TypeNames">Simple names (e.g. "MatryoshkaLoss") or full names; any one present is enough.</param>
public sealed record CoreFeature(string Description, params string[] TypeNames)
{
    /// <summary>Whether the StTrain.Core assembly in this build has one of the types.</summary>
    public bool IsPresent() => TypeNames.Any(CoreTypes.Has);

    /// <summary>The type names, for messages.</summary>
    public string TypeList => string.Join(" or ", TypeNames);
}
