namespace StTrain.Core.Training.Spec;

/// <summary>One or more validation findings, reported together so a spec can be fixed in one pass.</summary>
public sealed class SpecValidationException(IReadOnlyList<SpecError> errors)
    : Exception($"The run spec has {errors.Count} problem(s):\n" + string.Join("\n", errors.Select(e => "  - " + e)))
{
    public IReadOnlyList<SpecError> Errors { get; } = errors;
}
