namespace StTrain.Skill.Templates;

/// <summary>
/// A training-core capability a template depends on, detected by the public type that implements it. Detection by
/// type name keeps this table honest without compile-time references to code that may not have landed yet.
/// </summary>
/// <param name="Description">What the capability is, for the "unavailable" reason.</param>
/// <param name="TypeName">The type's simple name (e.g. "MatryoshkaLoss") or full name with its namespace.</param>
public sealed record CoreFeature(string Description, string TypeName)
{
    /// <summary>Whether the StTrain.Core assembly in this build has the type.</summary>
    public bool IsPresent() => CoreTypes.Has(TypeName);
}
