using System.Globalization;
using System.Text.Json;

namespace StTrain.Core.Data;

/// <summary>Conversions between JSON / text / CLR values and the value set a <see cref="TabularDataset"/>
/// holds.</summary>
internal static class TabularValues
{
    public static TabularColumnKind KindOf(object? value) => value switch
    {
        null => TabularColumnKind.Null,
        string => TabularColumnKind.String,
        long => TabularColumnKind.Integer,
        double => TabularColumnKind.Float,
        bool => TabularColumnKind.Boolean,
        object?[] => TabularColumnKind.List,
        _ => throw new ArgumentException($"Unsupported dataset value type {value.GetType().Name}."),
    };

    /// <summary>Brings a CLR value into the dataset value set (string, long, double, bool, object?[] or
    /// null).</summary>
    public static object? Normalize(object? value) => value switch
    {
        null => null,
        string or long or double or bool => value,
        int i => (long)i,
        short s => (long)s,
        byte b => (long)b,
        sbyte sb => (long)sb,
        uint ui => (long)ui,
        ushort us => (long)us,
        ulong ul when ul <= long.MaxValue => (long)ul,
        float f => (double)f,
        decimal m => (double)m,
        Half h => (double)h,
        char c => c.ToString(),
        // Parquet.Net hands out strings inside lists as ReadOnlyMemory<char>.
        ReadOnlyMemory<char> memory => memory.ToString(),
        object?[] array => array.Select(Normalize).ToArray(),
        System.Collections.IEnumerable sequence => sequence.Cast<object?>().Select(Normalize).ToArray(),
        _ => throw new ArgumentException($"Unsupported dataset value type {value.GetType().Name}."),
    };

    public static string KindName(TabularColumnKind kind) => kind switch
    {
        TabularColumnKind.Null => "null",
        TabularColumnKind.String => "string",
        TabularColumnKind.Integer => "integer",
        TabularColumnKind.Float => "float",
        TabularColumnKind.Boolean => "boolean",
        TabularColumnKind.List => "list",
        _ => kind.ToString(),
    };

    /// <summary>
    /// Converts a JSON element; null when it is an object (the caller reports that with its location) is signalled
    /// through <paramref name="unsupported"/>.
    /// </summary>
    public static object? FromJson(JsonElement element, out bool unsupported)
    {
        unsupported = false;
        switch (element.ValueKind)
        {
            case JsonValueKind.String: return element.GetString();
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Null: return null;
            case JsonValueKind.Number:
                return element.TryGetInt64(out long l) ? (object)l : element.GetDouble();
            case JsonValueKind.Array:
            {
                var items = new object?[element.GetArrayLength()];
                int i = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    items[i++] = FromJson(item, out bool inner);
                    if (inner) unsupported = true;
                }
                return items;
            }
            default:
                unsupported = true;
                return null;
        }
    }

    public static void WriteJson(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case long l: writer.WriteNumberValue(l); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case double d:
                throw new ArgumentException(
                    $"The value {d} cannot be written as JSON; replace it with a finite number.");
            case bool b: writer.WriteBooleanValue(b); break;
            case object?[] array:
                writer.WriteStartArray();
                foreach (object? item in array) WriteJson(writer, item);
                writer.WriteEndArray();
                break;
            default: throw new ArgumentException($"Unsupported dataset value type {value.GetType().Name}.");
        }
    }

    /// <summary>Text form for CSV/TSV cells and messages (invariant culture, round-trippable numbers).</summary>
    public static string ToText(object? value) => value switch
    {
        null => "",
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => throw new ArgumentException(
            $"A {value.GetType().Name} value has no CSV form; save the dataset as .jsonl."),
    };

    /// <summary>Short preview of a value for error messages.</summary>
    public static string Preview(object? value)
    {
        string text = value switch
        {
            null => "null",
            string s => "\"" + s + "\"",
            object?[] a => "[" + string.Join(", ", a.Take(3).Select(Preview)) + (a.Length > 3 ? ", ..." : "") + "]",
            _ => ToText(value),
        };
        return text.Length > 60 ? text[..57] + "..." : text;
    }
}
