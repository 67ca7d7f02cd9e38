using StTrain.Core.Training.Spec;

namespace StTrain.Skill.Specs;

/// <summary>
/// Runs the trainer's own spec parser on a spec text, so a spec the trainer would reject is refused when it is
/// scaffolded, with the trainer's field, location and fix.
/// </summary>
public static class SpecValidation
{
    /// <summary>The problems the trainer's parser finds; empty when the spec parses.</summary>
    public static IReadOnlyList<string> Problems(string yaml, string specPath)
    {
        try
        {
            RunSpec.Parse(yaml, specPath);
            return [];
        }
        catch (SpecException error)
        {
            return [error.ToError().ToString()];
        }
    }
}
