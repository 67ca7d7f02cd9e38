namespace StTrain.Core.Losses;

/// <summary>What a loss expects in the label column of a training row.</summary>
public enum LabelKind
{
    /// <summary>No label column: the loss learns from the column order alone (anchor, positive, ...).</summary>
    None,

    /// <summary>One float per row (a similarity score, a 0/1 pair label, a teacher margin).</summary>
    Float,

    /// <summary>One integer class id per row.</summary>
    Integer,

    /// <summary>A float vector per row (teacher embedding, or one teacher score per candidate).</summary>
    FloatVector,
}
