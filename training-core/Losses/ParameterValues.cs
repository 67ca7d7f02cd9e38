using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace StTrain.Core.Losses;

/// <summary>
/// Named values read from a run spec (YAML scalars arrive as strings), a JSON request (JsonElement) or code (typed
/// values), with typed getters. Every conversion failure names the parameter, its owner, the offending value and
/// what to write instead, because these messages reach users who edit spec files.
/// </summary>
public abstract class ParameterValues
{
    private readonly IReadOnlyDictionary<string, object?> values;

    protected ParameterValues(IReadOnlyDictionary<string, object?>? values, string owner)
    {
        this.values = values ?? new Dictionary<string, object?>();
        Owner = owner;
    }

    /// <summary>Who the values belong to, used in error messages ("loss MultipleNegativesRankingLoss").</summary>
    public string Owner { get; }

    /// <summary>The raw values as given.</summary>
    public IReadOnlyDictionary<string, object?> Values => values;

    /// <summary>The parameter names that were given.</summary>
    public IEnumerable<string> Names => values.Keys;

    /// <summary>True when the parameter was given with a non-null value.</summary>
    public bool Has(string name) => values.TryGetValue(name, out object? v) && !IsNull(v);

    public double GetDouble(string name, double defaultValue) =>
        Has(name) ? ToDouble(name, values[name]) : defaultValue;

    public double GetRequiredDouble(string name) => ToDouble(name, Require(name));

    public double? GetOptionalDouble(string name) => Has(name) ? ToDouble(name, values[name]) : null;

    public int GetInt(string name, int defaultValue) => Has(name) ? ToInt(name, values[name]) : defaultValue;

    public int GetRequiredInt(string name) => ToInt(name, Require(name));

    public int? GetOptionalInt(string name) => Has(name) ? ToInt(name, values[name]) : null;

    public bool GetBool(string name, bool defaultValue) => Has(name) ? ToBool(name, values[name]) : defaultValue;

    public string GetString(string name, string defaultValue) =>
        Has(name) ? ToText(name, values[name]) : defaultValue;

    public string? GetOptionalString(string name) => Has(name) ? ToText(name, values[name]) : null;

    public string GetRequiredString(string name) => ToText(name, Require(name));

    /// <summary>A string that must be one of <paramref name="allowed"/> (compared case-insensitively).</summary>
    public string GetChoice(string name, string defaultValue, IReadOnlyList<string> allowed)
    {
        string value = GetString(name, defaultValue);
        string? match = allowed.FirstOrDefault(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase));
        if (match is null)
        {
            throw Error(name, value, $"one of {string.Join(", ", allowed)}", $"set {name} to one of those values");
        }

        return match;
    }

    public IReadOnlyList<int> GetIntList(string name, IReadOnlyList<int>? defaultValue)
    {
        if (!Has(name)) return defaultValue ?? [];
        return AsList(name, values[name], "a list of integers such as [768, 512, 256]")
            .Select(item => ToInt(name, item)).ToList();
    }

    public IReadOnlyList<double> GetDoubleList(string name, IReadOnlyList<double>? defaultValue)
    {
        if (!Has(name)) return defaultValue ?? [];
        return AsList(name, values[name], "a list of numbers such as [1, 1, 0.5]")
            .Select(item => ToDouble(name, item)).ToList();
    }

    public IReadOnlyList<string> GetStringList(string name, IReadOnlyList<string>? defaultValue)
    {
        if (!Has(name)) return defaultValue ?? [];
        object? raw = values[name];
        if (raw is string single) return [single];
        return AsList(name, raw, "a list of strings such as [cosine, dot]").Select(item => ToText(name, item)).ToList();
    }

    /// <summary>The raw value, when it is already of type <typeparamref name="T"/> (in-process callers).</summary>
    public T GetRequiredObject<T>(string name, string expected)
    {
        object? raw = Require(name);
        if (raw is T typed) return typed;
        throw Error(name, raw, expected, $"pass {name} as {expected}");
    }

    /// <summary>The error every getter throws: owner, parameter, value, what was expected, and the fix.</summary>
    protected ArgumentException Error(string name, object? value, string expected, string fix) =>
        new($"{Owner}: parameter '{name}' must be {expected}; got {Describe(value)}. Fix: {fix}.");

    protected object Require(string name)
    {
        if (!Has(name))
        {
            throw new ArgumentException($"{Owner}: parameter '{name}' is required but was not given. " +
                                        $"Fix: add '{name}: <value>' to its parameters.");
        }

        return values[name]!;
    }

    protected static bool IsNull(object? v) =>
        v is null || (v is JsonElement e && e.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined);

    protected IEnumerable<object?> AsList(string name, object? raw, string expected)
    {
        if (raw is JsonElement { ValueKind: JsonValueKind.Array } array)
        {
            return array.EnumerateArray().Select(e => (object?)e).ToList();
        }

        if (raw is IEnumerable list and not string and not IDictionary)
        {
            return list.Cast<object?>().ToList();
        }

        if (raw is string text && text.TrimStart().StartsWith('['))
        {
            // Inline "[1, 2, 3]" written as a quoted scalar.
            return text.Trim().TrimStart('[').TrimEnd(']')
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => (object?)s).ToList();
        }

        throw Error(name, raw, expected, $"write {name} as {expected}");
    }

    protected double ToDouble(string name, object? raw)
    {
        switch (raw)
        {
            case double d: return d;
            case float f: return f;
            case int i: return i;
            case long l: return l;
            case decimal m: return (double)m;
            case JsonElement { ValueKind: JsonValueKind.Number } e: return e.GetDouble();
            case JsonElement { ValueKind: JsonValueKind.String } s when TryParseDouble(s.GetString(), out double js):
                return js;
            case string text when TryParseDouble(text, out double parsed): return parsed;
            default: throw Error(name, raw, "a number", $"write {name} as a plain number such as 0.5");
        }
    }

    protected int ToInt(string name, object? raw)
    {
        double d;
        try
        {
            d = ToDouble(name, raw);
        }
        catch (ArgumentException)
        {
            throw Error(name, raw, "an integer", $"write {name} as a whole number such as 32");
        }

        if (d != Math.Floor(d) || d > int.MaxValue || d < int.MinValue)
        {
            throw Error(name, raw, "an integer", $"write {name} as a whole number such as 32");
        }

        return (int)d;
    }

    protected bool ToBool(string name, object? raw)
    {
        switch (raw)
        {
            case bool b: return b;
            case JsonElement { ValueKind: JsonValueKind.True }: return true;
            case JsonElement { ValueKind: JsonValueKind.False }: return false;
            case string text when bool.TryParse(text.Trim(), out bool parsed): return parsed;
            case JsonElement { ValueKind: JsonValueKind.String } s when bool.TryParse(s.GetString(), out bool js):
                return js;
            default: throw Error(name, raw, "true or false", $"write {name}: true or {name}: false");
        }
    }

    protected string ToText(string name, object? raw) => raw switch
    {
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() ?? string.Empty,
        double or float or int or long or decimal or bool => Convert.ToString(raw, CultureInfo.InvariantCulture)!,
        _ => throw Error(name, raw, "a string", $"write {name} as a single word or quoted text"),
    };

    private static bool TryParseDouble(string? text, out double value) =>
        double.TryParse(text?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static string Describe(object? value) => value switch
    {
        null => "nothing",
        string s => $"'{s}' (text)",
        JsonElement e => $"{e.GetRawText()} (JSON {e.ValueKind.ToString().ToLowerInvariant()})",
        IEnumerable list and not IDictionary => $"a list of {list.Cast<object?>().Count()} item(s)",
        IDictionary => "a mapping",
        _ => $"{Convert.ToString(value, CultureInfo.InvariantCulture)} ({value.GetType().Name})",
    };
}
