using System.Text.RegularExpressions;

namespace StTrain.Skill.Specs;

/// <summary>
/// A dotted path into a run spec: "training.learning_rate", "loss.params.scale", "evaluators.0.name" (or
/// "evaluators[0].name"). Segments that are all digits index into a list.
/// </summary>
public sealed partial class SpecPath
{
    private SpecPath(string text, IReadOnlyList<string> segments)
    {
        Text = text;
        Segments = segments;
    }

    /// <summary>The path as given.</summary>
    public string Text { get; }

    /// <summary>The keys and list indices, outermost first.</summary>
    public IReadOnlyList<string> Segments { get; }

    /// <summary>True when no segment is a list index, so a line-level edit can apply it.</summary>
    public bool IsMappingOnly => Segments.All(segment => !IsIndex(segment));

    [GeneratedRegex(@"^[A-Za-z0-9_@-]+$")]
    private static partial Regex SegmentSyntax();

    /// <summary>Whether a segment is a list index.</summary>
    public static bool IsIndex(string segment) => segment.Length > 0 && segment.All(char.IsAsciiDigit);

    /// <summary>Parses a path; <see cref="SkillException"/> naming the path and the rule when malformed.</summary>
    public static SpecPath Parse(string text)
    {
        var normalized = Regex.Replace(text.Trim(), @"\[(\d+)\]", ".$1");
        var segments = normalized.Split('.');
        if (normalized.Length == 0 || segments.Any(segment => !SegmentSyntax().IsMatch(segment)))
        {
            throw new SkillException(
                $"Override path '{text}' is not a dotted spec path. Write keys separated by dots, list positions as "
                + "numbers: 'training.learning_rate', 'loss.params.scale', 'evaluators.0.name'.");
        }

        if (IsIndex(segments[0]))
        {
            throw new SkillException($"Override path '{text}' must start with a top-level key such as 'training'.");
        }

        return new SpecPath(text, segments);
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
