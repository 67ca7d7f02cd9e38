using StTrain.Core.Training;
using StTrain.Core.Training.Spec;

namespace StTrain.Skill.Specs;

/// <summary>
/// Runs the trainer's own spec parser and static validator (loss and evaluator registries, sampler, checkpoint and
/// metric-key rules; no data is read) on a spec text, so a spec the trainer would reject is refused when it is
/// scaffolded, with the trainer's field, location and fix.
/// </summary>
public static class SpecValidation
{
    /// <summary>
    /// The problems the trainer's parser and static validator find (empty when there are none), and warnings for
    /// what could not be checked: a validator that itself fails is reported, not taken as a verdict on the spec.
    /// <paramref name="workspaceRoot"/> is the workspace the trainer will run in (default: as the trainer finds it),
    /// for the rules that depend on where the spec lies (run_name must match its runs/ folder).
    /// </summary>
    public static (IReadOnlyList<string> Problems, IReadOnlyList<string> Warnings) Check(
        string yaml, string specPath, string? workspaceRoot = null)
    {
        RunSpec spec;
        try
        {
            spec = RunSpec.Parse(yaml, specPath);
            if (workspaceRoot is not null)
            {
                spec = spec with { WorkspaceRoot = Path.GetFullPath(workspaceRoot) };
            }
        }
        catch (SpecException error)
        {
            return ([error.ToError().ToString()], []);
        }

        try
        {
            return (RunSpecValidator.ValidateStatic(spec).Select(error => error.ToString()).ToList(), []);
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException
                                          or NotSupportedException or SpecException)
        {
            return ([], [$"The trainer's validator could not check this spec ({error.GetType().Name}: "
                         + $"{error.Message}); run `./st-train validate` and the smoke test before trusting it."]);
        }
    }

    /// <summary>The problems alone (see <see cref="Check"/>).</summary>
    public static IReadOnlyList<string> Problems(string yaml, string specPath, string? workspaceRoot = null) =>
        Check(yaml, specPath, workspaceRoot).Problems;
}
