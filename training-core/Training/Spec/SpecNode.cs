using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace StTrain.Core.Training.Spec;

/// <summary>
/// A YAML node of a run spec together with its dotted path and line, so every conversion error can name the field
/// and where it is.
/// </summary>
public sealed class SpecNode
{
    private readonly YamlNode node;

    public string Path { get; }
    public string File { get; }
    public int Line => (int)node.Start.Line;

    public SpecNode(YamlNode node, string path, string file)
    {
        this.node = node;
        Path = path;
        File = file;
    }

    public bool IsMapping => node is YamlMappingNode;
    public bool IsSequence => node is YamlSequenceNode;
    public bool IsScalar => node is YamlScalarNode;
    public bool IsNull =>
        node is YamlScalarNode { Value: null or "" or "null" or "~" } s &&
        s.Style == YamlDotNet.Core.ScalarStyle.Plain;

    public SpecException Error(string message, string fix) => new(Path, $"{File}:{Line}", message, fix);

    private string Child(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public IEnumerable<string> Keys => node is YamlMappingNode map
        ? map.Children.Keys.Select(k => ((YamlScalarNode)k).Value ?? "")
        : [];

    public SpecNode? this[string key]
    {
        get
        {
            if (node is not YamlMappingNode map) return null;
            foreach (var (k, v) in map.Children)
                if (k is YamlScalarNode s && s.Value == key) return new SpecNode(v, Child(key), File);
            return null;
        }
    }

    public IReadOnlyList<SpecNode> Items => node switch
    {
        YamlSequenceNode seq => seq.Children.Select((c, i) => new SpecNode(c, $"{Path}[{i}]", File)).ToList(),
        _ => throw Error("expected a list", $"write {Path} as a YAML list, e.g. [a, b] or one '- item' per line"),
    };

    public IEnumerable<(string Key, SpecNode Value)> Entries => node switch
    {
        YamlMappingNode map => map.Children.Select(kv =>
        {
            string key = ((YamlScalarNode)kv.Key).Value ?? "";
            return (key, new SpecNode(kv.Value, Child(key), File));
        }),
        _ => throw Error("expected a mapping", $"write {Path} as 'key: value' lines"),
    };

    public string Text => node is YamlScalarNode s
        ? s.Value ?? ""
        : throw Error("expected a single value", $"give {Path} a plain value, not a list or mapping");

    public string String() => IsNull ? throw Error("is empty", $"give {Path} a value") : Text;

    public int Int()
    {
        if (int.TryParse(Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)) return value;
        throw Error($"'{Text}' is not an integer", $"write {Path} as a whole number");
    }

    public double Double()
    {
        if (double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) return value;
        throw Error($"'{Text}' is not a number", $"write {Path} as a number, e.g. 2e-5 or 0.1");
    }

    public bool Bool() => Text.ToLowerInvariant() switch
    {
        "true" or "yes" or "on" => true,
        "false" or "no" or "off" => false,
        _ => throw Error($"'{Text}' is not true or false", $"write {Path} as true or false"),
    };

    /// <summary>True when the scalar is a whole number (no '.', no exponent).</summary>
    public bool LooksIntegral =>
        IsScalar && long.TryParse(Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);

    /// <summary>Reads one YAML value (a number, true/false, a [list] or text) written on a command line.</summary>
    public static object? ParseValue(string yaml, string origin)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException error)
        {
            throw new SpecException(origin, origin, $"'{yaml}' is not a valid value ({error.Message})",
                "write a number, true/false, a list like [384, 128] or plain text");
        }
        return stream.Documents.Count == 0
            ? null
            : new SpecNode(stream.Documents[0].RootNode, origin, origin).ToObject();
    }

    /// <summary>The value as a plain .NET object: string, long, double, bool, null, list or dictionary.</summary>
    public object? ToObject()
    {
        switch (node)
        {
            case YamlMappingNode:
                return Entries.ToDictionary(e => e.Key, e => e.Value.ToObject(), StringComparer.Ordinal);
            case YamlSequenceNode:
                return Items.Select(i => i.ToObject()).ToList();
            case YamlScalarNode s when s.Style != YamlDotNet.Core.ScalarStyle.Plain:
                return s.Value ?? "";
            default:
                if (IsNull) return null;
                if (long.TryParse(Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l)) return l;
                if (double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) return d;
                if (Text is "true" or "false") return Text == "true";
                return Text;
        }
    }
}
