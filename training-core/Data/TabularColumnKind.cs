namespace StTrain.Core.Data;

/// <summary>The value type of a dataset column, inferred from its non-null values.</summary>
public enum TabularColumnKind
{
    /// <summary>Every value is null (or the dataset has no rows).</summary>
    Null,
    String,
    /// <summary>64-bit integers (stored as <see cref="long"/>).</summary>
    Integer,
    /// <summary>Floating point numbers (stored as <see cref="double"/>); integers mixed with floats become
    /// floats.</summary>
    Float,
    Boolean,
    /// <summary>Arrays (stored as object?[] whose elements follow the same value rules).</summary>
    List,
}
