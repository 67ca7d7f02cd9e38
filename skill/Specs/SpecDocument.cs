using System.Globalization;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace StTrain.Skill.Specs;

/// <summary>A run spec parsed as a YAML tree, for reading values by dotted path and structural edits.</summary>
public sealed class SpecDocument
{
    private readonly YamlStream _stream;

    private SpecDocument(YamlStream stream, YamlMappingNode root)
    {
        _stream = stream;
        Root = root;
    }

    /// <summary>The top-level mapping.</summary>
    public YamlMappingNode Root { get; }

    /// <summary>
    /// Parses YAML text; <see cref="SkillException"/> naming the source, line and column of a syntax error, or
    /// saying the document is not a mapping.
    /// </summary>
    public static SpecDocument Parse(string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException error)
        {
            var detail = error.InnerException?.Message ?? error.Message;
            throw new SkillException(
                $"{source} is not valid YAML at line {error.Start.Line}, column {error.Start.Column}: {detail}");
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new SkillException(
                $"{source} must hold one YAML mapping (run_name:, model:, data:, loss:, training: ...).");
        }

        return new SpecDocument(stream, root);
    }

    /// <summary>The node at a path, or null when any segment is missing.</summary>
    public YamlNode? Get(SpecPath path)
    {
        YamlNode current = Root;
        foreach (var segment in path.Segments)
        {
            switch (current)
            {
                case YamlMappingNode mapping
                    when mapping.Children.TryGetValue(new YamlScalarNode(segment), out var child):
                    current = child;
                    break;
                case YamlSequenceNode sequence when SpecPath.IsIndex(segment)
                                                    && int.Parse(segment, CultureInfo.InvariantCulture) is var index
                                                    && index < sequence.Children.Count:
                    current = sequence.Children[index];
                    break;
                default:
                    return null;
            }
        }

        return current;
    }

    /// <summary>The scalar text at a dotted path, or null.</summary>
    public string? GetScalar(string path) => Get(SpecPath.Parse(path)) is YamlScalarNode scalar ? scalar.Value : null;

    /// <summary>
    /// Sets a value by building missing mappings on the way; a list index must already exist (or be the next
    /// position, which appends). Comments are not kept by this tree, which is why line edits are tried first.
    /// </summary>
    public void Set(SpecPath path, JsonElement value)
    {
        YamlNode current = Root;
        for (var position = 0; position < path.Segments.Count; position++)
        {
            var segment = path.Segments[position];
            var last = position == path.Segments.Count - 1;
            var nextIsIndex = !last && SpecPath.IsIndex(path.Segments[position + 1]);
            YamlNode Fresh() => last ? ToNode(value) : nextIsIndex ? new YamlSequenceNode() : new YamlMappingNode();

            switch (current)
            {
                case YamlMappingNode mapping:
                {
                    var key = new YamlScalarNode(segment);
                    if (last || !mapping.Children.TryGetValue(key, out var child)
                             || child is not (YamlMappingNode or YamlSequenceNode))
                    {
                        child = Fresh();
                        mapping.Children[key] = child;
                    }

                    current = child;
                    break;
                }

                case YamlSequenceNode sequence when SpecPath.IsIndex(segment):
                {
                    var index = int.Parse(segment, CultureInfo.InvariantCulture);
                    if (index > sequence.Children.Count)
                    {
                        throw new SkillException(
                            $"Override path '{path}': list position {index} is past the end (the list has "
                            + $"{sequence.Children.Count} items; use {sequence.Children.Count} to append).");
                    }

                    if (index == sequence.Children.Count)
                    {
                        sequence.Children.Add(Fresh());
                    }
                    else if (last)
                    {
                        sequence.Children[index] = Fresh();
                    }

                    current = sequence.Children[index];
                    break;
                }

                default:
                    throw new SkillException(
                        $"Override path '{path}' goes through '{segment}', but the value there is not a mapping or "
                        + "list position that can hold it.");
            }
        }
    }

    /// <summary>The tree written back as block-style YAML.</summary>
    public string Serialize()
    {
        var writer = new StringWriter();
        _stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();

        // YamlStream always closes the document with "...", which a hand-written spec never has.
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    /// <summary>Whether a YAML node reads as the same value as a JSON value (numbers compared numerically).</summary>
    public static bool SameValue(YamlNode? node, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return node is null || node is YamlScalarNode { Value: null or "" or "null" or "~" };
            case JsonValueKind.String:
                return node is YamlScalarNode scalar && scalar.Value == value.GetString();
            case JsonValueKind.True or JsonValueKind.False:
                return node is YamlScalarNode flag
                       && string.Equals(flag.Value, value.ValueKind == JsonValueKind.True ? "true" : "false",
                           StringComparison.OrdinalIgnoreCase);
            case JsonValueKind.Number:
                return node is YamlScalarNode number
                       && double.TryParse(number.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var read)
                       && read == value.GetDouble();
            case JsonValueKind.Array:
                return node is YamlSequenceNode list && list.Children.Count == value.GetArrayLength()
                       && list.Children.Zip(value.EnumerateArray()).All(pair => SameValue(pair.First, pair.Second));
            case JsonValueKind.Object:
                return node is YamlMappingNode map && map.Children.Count == value.EnumerateObject().Count()
                       && value.EnumerateObject().All(property =>
                           map.Children.TryGetValue(new YamlScalarNode(property.Name), out var child)
                           && SameValue(child, property.Value));
            default:
                return false;
        }
    }

    private static YamlNode ToNode(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => new YamlSequenceNode(value.EnumerateArray().Select(ToNode)),
        JsonValueKind.Object => new YamlMappingNode(value.EnumerateObject()
            .Select(property => new KeyValuePair<YamlNode, YamlNode>(
                new YamlScalarNode(property.Name), ToNode(property.Value)))),
        JsonValueKind.String => new YamlScalarNode(value.GetString())
        {
            Style = YamlScalars.Quote(value.GetString() ?? "").StartsWith('"')
                ? ScalarStyle.DoubleQuoted
                : ScalarStyle.Plain,
        },
        JsonValueKind.Null => new YamlScalarNode("null"),
        _ => new YamlScalarNode(YamlScalars.ToFlow(value)),
    };
}
