using System.Globalization;

namespace StTrain.Server.Commands;

/// <summary>
/// "--name value", "--name=value" and "--flag" options plus positional words, checked against the options a
/// command knows so that a typo is reported instead of ignored.
/// </summary>
internal sealed class CommandLineArguments
{
    private readonly Dictionary<string, string?> values = new(StringComparer.Ordinal);
    private readonly List<string> positional = new();

    private CommandLineArguments()
    {
    }

    public IReadOnlyList<string> Positional => positional;

    /// <summary>Parses <paramref name="args"/>; <paramref name="flags"/> take no value, <paramref name="options"/>
    /// take one. Throws <see cref="UsageException"/> naming an unknown option or a missing value.</summary>
    public static CommandLineArguments Parse(IEnumerable<string> args, IReadOnlyCollection<string> options,
        IReadOnlyCollection<string> flags)
    {
        var parsed = new CommandLineArguments();
        var queue = new Queue<string>(args);
        while (queue.Count > 0)
        {
            string arg = queue.Dequeue();
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                parsed.positional.Add(arg);
                continue;
            }
            string name = arg[2..];
            string? value = null;
            int equals = name.IndexOf('=');
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            if (flags.Contains(name))
            {
                if (value is not null) throw new UsageException($"--{name} takes no value.");
                parsed.values[name] = null;
                continue;
            }
            if (!options.Contains(name))
                throw new UsageException($"Unknown option --{name}. Known options: " +
                    string.Join(", ", options.Concat(flags).Order(StringComparer.Ordinal).Select(o => "--" + o)) + ".");
            if (value is null)
            {
                if (queue.Count == 0 || queue.Peek().StartsWith("--", StringComparison.Ordinal))
                    throw new UsageException($"--{name} needs a value.");
                value = queue.Dequeue();
            }
            parsed.values[name] = value;
        }
        return parsed;
    }

    public bool Has(string name) => values.ContainsKey(name);

    public string? String(string name) => values.GetValueOrDefault(name);

    public string Required(string name) =>
        String(name) is { Length: > 0 } value ? value : throw new UsageException($"--{name} is required.");

    public int Int(string name, int fallback, int min = int.MinValue)
    {
        if (String(name) is not { } text) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min)
            throw new UsageException($"--{name} must be a whole number >= {min}, got '{text}'.");
        return value;
    }

    public int? OptionalInt(string name, int min = int.MinValue) => Has(name) ? Int(name, 0, min) : null;

    public double? Double(string name)
    {
        if (String(name) is not { } text) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value))
            throw new UsageException($"--{name} must be a number, got '{text}'.");
        return value;
    }
}
