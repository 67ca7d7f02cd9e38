using System.Text.RegularExpressions;

namespace StTrain.Skill.Runs;

/// <summary>The rule for run names: they become folder and file names, so only [A-Za-z0-9._-] is allowed.</summary>
public static partial class RunNames
{
    /// <summary>The longest run name accepted.</summary>
    public const int MaxLength = 100;

    [GeneratedRegex(@"^[A-Za-z0-9._-]+$")]
    private static partial Regex Allowed();

    /// <summary>Returns the name when valid; <see cref="SkillException"/> saying what to change otherwise.</summary>
    public static string Validate(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new SkillException("Give a run_name: letters, digits, '.', '_' and '-' (for example minilm-nli-v1).");
        }

        if (!Allowed().IsMatch(name) || name.Length > MaxLength || name[0] is '.' or '-')
        {
            throw new SkillException(
                $"run_name '{name}' is not allowed: use only letters, digits, '.', '_' and '-', start with a letter or "
                + $"digit, and stay within {MaxLength} characters (for example minilm-nli-v1).");
        }

        return name;
    }
}
