namespace StTrain.Server.Commands;

/// <summary>
/// A small parser for `--name value`, `--flag` and positional arguments, with errors that name the option and
/// say what to write instead.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> options = new(StringComparer.Ordinal);
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    public CommandLine(IEnumerable<string> args, IReadOnlySet<string>? flags = null)
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
            else if (flags?.Contains(name) == true)
            {
                value = "true";
            }
            else if (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = list[++i];
            }
            else
            {
                throw new UsageException($"--{name} needs a value (write --{name} VALUE).");
            }
            if (!options.TryGetValue(name, out var values)) options[name] = values = [];
            values.Add(value);
        }
    }

    public string? Get(string name)
    {
        used.Add(name);
        return options.TryGetValue(name, out var values) ? values[^1] : null;
    }

    public IReadOnlyList<string> GetAll(string name)
    {
        used.Add(name);
        return options.TryGetValue(name, out var values) ? values : [];
    }

    public string Require(string name, string what) =>
        Get(name) ?? throw new UsageException($"--{name} is required: {what}.");

    public int GetInt(string name, int fallback)
    {
        string? text = Get(name);
        if (text is null) return fallback;
        return int.TryParse(text, out int value) && value > 0
            ? value
            : throw new UsageException($"--{name} '{text}' is not a positive whole number.");
    }

    public bool Flag(string name) => Get(name) is "true" or "1" or "yes";

    /// <summary>Fails on options nobody asked for (typos), listing the ones the command knows.</summary>
    public void RejectUnknown()
    {
        var unknown = options.Keys.Where(k => !used.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new UsageException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}. " +
                                     $"This command knows: {string.Join(", ", used.Order().Select(u => "--" + u))}.");
    }
}

/// <summary>A command-line mistake: printed as one line with the fix, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
