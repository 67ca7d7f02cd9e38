using System.Globalization;

namespace StTrain.Server.Commands;

/// <summary>
/// The one parser of every st-train command: `--name value`, `--name=value`, `--flag` and positional words, with
/// errors that name the option and say what to write instead.
/// <para>
/// Two ways to say which options a command knows: <see cref="Parse"/> takes the lists up front and refuses an
/// unknown option at once; the constructor learns them from the getters the command calls, and
/// <see cref="RejectUnknown"/> then refuses the rest. Either way a word after an unknown option is never mistaken
/// for the reason of the error: `--bogus` at the end of the line is reported as unknown, not as lacking a value.
/// </para>
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> options = new(StringComparer.Ordinal);
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    // Options written without a value; an error only if the command reads them (unknown ones are reported as such).
    private readonly HashSet<string> missingValue = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    /// <summary>Parses <paramref name="args"/>; names in <paramref name="flags"/> take no value. The options the
    /// command knows are the ones it reads before calling <see cref="RejectUnknown"/>.</summary>
    public CommandLine(IEnumerable<string> args, IReadOnlySet<string>? flags = null)
        : this(args, flags ?? new HashSet<string>(), known: null)
    {
    }

    private CommandLine(IEnumerable<string> args, IReadOnlySet<string> flags, IReadOnlyCollection<string>? known)
    {
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            string arg = list[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                Positional.Add(arg);
                continue;
            }
            string name = arg[2..];
            string? value = null;
            int eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            if (known is not null && !known.Contains(name) && !flags.Contains(name))
                throw new UsageException($"unknown option --{name}. {KnownList(known.Concat(flags))}");
            if (flags.Contains(name))
            {
                if (value is not null && known is not null) throw new UsageException($"--{name} takes no value.");
                value ??= "true";
            }
            else if (value is null)
            {
                if (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    value = list[++i];
                }
                else if (known is not null)
                {
                    throw new UsageException($"--{name} needs a value (write --{name} VALUE).");
                }
                else
                {
                    missingValue.Add(name);
                    continue;
                }
            }
            if (!options.TryGetValue(name, out var values)) options[name] = values = [];
            values.Add(value);
        }
    }

    /// <summary>
    /// Parses <paramref name="args"/> for a command that knows <paramref name="knownOptions"/> (with a value) and
    /// <paramref name="flags"/> (without); any other option is refused here, listing the known ones.
    /// </summary>
    public static CommandLine Parse(IEnumerable<string> args, IReadOnlyCollection<string> knownOptions,
        IReadOnlyCollection<string> flags) =>
        new(args, flags.ToHashSet(StringComparer.Ordinal), knownOptions);

    public string? Get(string name)
    {
        used.Add(name);
        if (missingValue.Contains(name)) throw new UsageException($"--{name} needs a value (write --{name} VALUE).");
        return options.TryGetValue(name, out var values) ? values[^1] : null;
    }

    public IReadOnlyList<string> GetAll(string name)
    {
        used.Add(name);
        if (missingValue.Contains(name)) throw new UsageException($"--{name} needs a value (write --{name} VALUE).");
        return options.TryGetValue(name, out var values) ? values : [];
    }

    /// <summary>Whether the option or flag was given.</summary>
    public bool Has(string name) => Get(name) is not null;

    public string Require(string name, string what) =>
        Get(name) is { Length: > 0 } value ? value : throw new UsageException($"--{name} is required: {what}.");

    /// <summary>A positive whole number, or <paramref name="fallback"/> when the option is absent.</summary>
    public int GetInt(string name, int fallback)
    {
        string? text = Get(name);
        if (text is null) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new UsageException($"--{name} '{text}' is not a positive whole number.");
    }

    /// <summary>A whole number of at least <paramref name="min"/>, or <paramref name="fallback"/> when
    /// absent.</summary>
    public int GetInt(string name, int fallback, int min)
    {
        if (Get(name) is not { } text) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min)
            throw new UsageException($"--{name} must be a whole number >= {min}, got '{text}'.");
        return value;
    }

    /// <summary>A whole number of at least <paramref name="min"/>, or null when absent.</summary>
    public int? GetOptionalInt(string name, int min) => Get(name) is null ? null : GetInt(name, 0, min);

    /// <summary>A finite number, or null when absent.</summary>
    public double? GetDouble(string name)
    {
        if (Get(name) is not { } text) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value))
            throw new UsageException($"--{name} must be a number, got '{text}'.");
        return value;
    }

    public bool Flag(string name) => Get(name) is "true" or "1" or "yes";

    /// <summary>Fails on options nobody asked for (typos), listing the ones the command knows.</summary>
    public void RejectUnknown()
    {
        var unknown = options.Keys.Concat(missingValue).Where(k => !used.Contains(k)).Distinct().ToList();
        if (unknown.Count > 0)
            throw new UsageException(
                $"unknown option{(unknown.Count == 1 ? "" : "s")} {string.Join(", ", unknown.Select(u => "--" + u))}. " +
                KnownList(used));
    }

    private static string KnownList(IEnumerable<string> known)
    {
        var names = known.Distinct().Order(StringComparer.Ordinal).ToList();
        return names.Count == 0
            ? "This command takes no options."
            : $"This command knows: {string.Join(", ", names.Select(n => "--" + n))}.";
    }
}

/// <summary>A command-line mistake: printed as one line with the fix, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
