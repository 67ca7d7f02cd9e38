using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace StTrain.Skill.Specs;

/// <summary>Writes JSON values (tool arguments) as YAML flow text that reads back as the same value.</summary>
public static partial class YamlScalars
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~",
    };

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_./@+-]*( [A-Za-z0-9_./@+-]+)*$")]
    private static partial Regex PlainSafe();

    /// <summary>The value in YAML flow style: plain or double-quoted scalars, [a, b] lists, {k: v} maps.</summary>
    public static string ToFlow(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Quote(value.GetString() ?? ""),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null or JsonValueKind.Undefined => "null",
        JsonValueKind.Array => "[" + string.Join(", ", value.EnumerateArray().Select(ToFlow)) + "]",
        JsonValueKind.Object => "{" + string.Join(", ",
            value.EnumerateObject().Select(property => $"{Quote(property.Name)}: {ToFlow(property.Value)}")) + "}",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value.ValueKind, "Unsupported JSON value kind."),
    };

    /// <summary>A string as a plain scalar when it cannot be misread, else double-quoted (JSON escapes).</summary>
    public static string Quote(string text) =>
        PlainSafe().IsMatch(text) && !Reserved.Contains(text) && !LooksNumeric(text)
            ? text
            : JsonSerializer.Serialize(text);

    private static bool LooksNumeric(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
        || text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
        || text.StartsWith("0o", StringComparison.OrdinalIgnoreCase)
        || text.StartsWith('.') && text.Length > 1;
}
