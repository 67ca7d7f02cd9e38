using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace StTrain.Skill.Specs;

/// <summary>
/// Sets a value in block-style YAML by editing lines, so the template's comments survive. It follows mapping keys
/// and positions in block lists ("evaluators.0.name"), replaces the value of an existing key (dropping that key's
/// nested block) or appends missing keys at the end of their parent block. Anything else (replacing a whole list
/// item, flow-style parents) returns null and the caller falls back to a tree edit.
/// </summary>
public static partial class SpecLineEditor
{
    [GeneratedRegex(@"^(?<indent> *)(?<key>[A-Za-z0-9_@-]+):(?<rest>.*)$")]
    private static partial Regex KeyLine();

    /// <summary>The edited text, or null when this path cannot be edited line by line.</summary>
    public static string? TrySet(string yaml, SpecPath path, JsonElement value)
    {
        if (SpecPath.IsIndex(path.Segments[^1]))
        {
            return null;
        }

        var lines = yaml.Split('\n').ToList();
        var flow = YamlScalars.ToFlow(value);

        // The block of the current parent: lines [start, end) whose content is indented deeper than parentIndent.
        // itemLine is the "- " line when the block is one list item (its first key sits on that line).
        int start = 0, end = lines.Count, parentIndent = -1, itemLine = -1;
        for (var depth = 0; depth < path.Segments.Count; depth++)
        {
            var segment = path.Segments[depth];
            if (SpecPath.IsIndex(segment))
            {
                var item = FindItem(lines, start, end, int.Parse(segment, CultureInfo.InvariantCulture));
                if (item is null)
                {
                    return null;
                }

                (start, end, parentIndent, itemLine) = item.Value;
                continue;
            }

            var childIndent = itemLine >= 0 ? parentIndent : ChildIndent(lines, start, end, parentIndent);
            var found = -1;
            Match? keyMatch = null;
            for (var index = start; index < end; index++)
            {
                var match = KeyLine().Match(AsMappingLine(lines[index], index == itemLine));
                if (match.Success && match.Groups["indent"].Length == childIndent
                                  && match.Groups["key"].Value == segment)
                {
                    found = index;
                    keyMatch = match;
                    break;
                }
            }

            if (found < 0)
            {
                return Append(lines, end, childIndent, path.Segments.Skip(depth).ToList(), flow);
            }

            var rest = keyMatch!.Groups["rest"].Value;
            var blockEnd = BlockEnd(lines, found + 1, end, childIndent);
            if (depth == path.Segments.Count - 1)
            {
                var comment = InlineComment(rest);
                var prefix = found == itemLine
                    ? new string(' ', childIndent - 2) + "- "
                    : new string(' ', childIndent);
                lines[found] = $"{prefix}{segment}: {flow}{comment}";
                lines.RemoveRange(found + 1, LastContentLine(lines, found + 1, blockEnd) - found);
                return string.Join('\n', lines);
            }

            // Going deeper needs a block here; an inline value ("prompts: {}") is left to the tree edit.
            var inline = StripComment(rest).Trim();
            if (inline.Length > 0)
            {
                return null;
            }

            start = found + 1;
            end = blockEnd;
            parentIndent = childIndent;
            itemLine = -1;
        }

        return null;
    }

    // The lines of the n-th item of a block list in [start, end): (first line, end, key indent, first line).
    private static (int Start, int End, int KeyIndent, int ItemLine)? FindItem(
        List<string> lines, int start, int end, int position)
    {
        var items = new List<int>();
        var listIndent = -1;
        for (var index = start; index < end; index++)
        {
            if (!IsContent(lines[index]))
            {
                continue;
            }

            var indent = Indent(lines[index]);
            var isItem = lines[index].TrimStart().StartsWith("- ", StringComparison.Ordinal);
            if (listIndent < 0)
            {
                if (!isItem)
                {
                    return null; // Not a block list.
                }

                listIndent = indent;
            }

            if (isItem && indent == listIndent)
            {
                items.Add(index);
            }
        }

        if (position >= items.Count)
        {
            return null;
        }

        var itemStart = items[position];
        var itemEnd = position + 1 < items.Count ? items[position + 1] : end;
        var first = lines[itemStart].TrimStart()[2..];
        if (!KeyLine().IsMatch(first))
        {
            return null; // A scalar or nested-list item, not a mapping.
        }

        return (itemStart, itemEnd, listIndent + 2, itemStart);
    }

    // The first line of a list item read as the mapping line it contains: "  - key: v" → "    key: v".
    private static string AsMappingLine(string line, bool isItemLine)
    {
        if (!isItemLine)
        {
            return line;
        }

        var indent = Indent(line);
        return new string(' ', indent + 2) + line[(indent + 2)..];
    }

    // The indentation of the first content line in a block, or parent + 2 for an empty block.
    private static int ChildIndent(List<string> lines, int start, int end, int parentIndent)
    {
        for (var index = start; index < end; index++)
        {
            if (IsContent(lines[index]))
            {
                return Indent(lines[index]);
            }
        }

        return parentIndent < 0 ? 0 : parentIndent + 2;
    }

    // The first content line at or after 'from' that is no longer inside the key's block.
    private static int BlockEnd(List<string> lines, int from, int limit, int keyIndent)
    {
        for (var index = from; index < limit; index++)
        {
            var line = lines[index];
            if (!IsContent(line))
            {
                continue;
            }

            // "key:" followed by "- item" at the key's own indentation is still the key's list.
            var indent = Indent(line);
            var isListItem = line.TrimStart().StartsWith("- ", StringComparison.Ordinal);
            if (indent < keyIndent || indent == keyIndent && !isListItem)
            {
                return index;
            }
        }

        return limit;
    }

    // The index of the last content line in [from, blockEnd), or from - 1 when there is none; trailing comments
    // and blank lines belong to what follows and are kept.
    private static int LastContentLine(List<string> lines, int from, int blockEnd)
    {
        var last = from - 1;
        for (var index = from; index < blockEnd; index++)
        {
            if (IsContent(lines[index]))
            {
                last = index;
            }
        }

        return last;
    }

    private static string Append(List<string> lines, int end, int indent, List<string> keys, string flow)
    {
        // Insert after the last content line of the parent block, not after trailing blank lines or comments.
        var at = end;
        while (at > 0 && !IsContent(lines[at - 1]))
        {
            at--;
        }

        var added = new List<string>();
        for (var position = 0; position < keys.Count; position++)
        {
            var pad = new string(' ', indent + 2 * position);
            added.Add(position == keys.Count - 1 ? $"{pad}{keys[position]}: {flow}" : $"{pad}{keys[position]}:");
        }

        lines.InsertRange(at, added);
        return string.Join('\n', lines);
    }

    private static bool IsContent(string line)
    {
        var trimmed = line.Trim();
        return trimmed.Length > 0 && !trimmed.StartsWith('#');
    }

    private static int Indent(string line) => line.Length - line.TrimStart(' ').Length;

    // " # why" after an inline value is kept; a '#' inside quotes is not a comment.
    private static string InlineComment(string rest)
    {
        var at = CommentStart(rest);
        return at < 0 ? "" : "  " + rest[at..].TrimStart();
    }

    private static string StripComment(string rest)
    {
        var at = CommentStart(rest);
        return at < 0 ? rest : rest[..at];
    }

    private static int CommentStart(string rest)
    {
        var quote = '\0';
        for (var index = 0; index < rest.Length; index++)
        {
            var character = rest[index];
            if (quote != '\0')
            {
                if (character == quote)
                {
                    quote = '\0';
                }
            }
            else if (character is '"' or '\'')
            {
                quote = character;
            }
            else if (character == '#' && (index == 0 || rest[index - 1] is ' ' or '\t'))
            {
                return index;
            }
        }

        return -1;
    }
}
