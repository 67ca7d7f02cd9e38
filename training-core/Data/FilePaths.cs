namespace StTrain.Core.Data;

/// <summary>Path rules shared by the commands and tools that read one file and write another.</summary>
public static class FilePaths
{
    /// <summary>
    /// The absolute path with every symbolic link along it resolved (the parts that exist; a missing tail is kept
    /// as written), so two spellings of one file compare equal.
    /// </summary>
    public static string RealPath(string path) => RealPath(path, depth: 0);

    private static string RealPath(string path, int depth)
    {
        string full = Path.GetFullPath(path);
        // Linux gives up after 40 links (ELOOP); a longer chain here is a loop.
        if (depth > 40) return full;
        string root = Path.GetPathRoot(full) ?? "/";
        string current = root;
        foreach (string part in full[root.Length..].Split(Path.DirectorySeparatorChar,
                     StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.Exists && info.LinkTarget is not null)
            {
                FileSystemInfo? target;
                try
                {
                    target = info.ResolveLinkTarget(returnFinalTarget: true);
                }
                catch (IOException)
                {
                    target = null; // a link loop: compare the path as written
                }
                if (target is not null) next = RealPath(target.FullName, depth + 1);
            }
            current = next;
        }
        return current;
    }

    /// <summary>Whether <paramref name="first"/> and <paramref name="second"/> name the same file, through
    /// symbolic links included (hard links are not detected).</summary>
    public static bool SameFile(string first, string second) =>
        string.Equals(RealPath(first), RealPath(second), StringComparison.Ordinal);

    /// <summary>
    /// Refuses to write <paramref name="output"/> over <paramref name="input"/>: the message names both options
    /// and says to pick a new file. Null when they differ.
    /// </summary>
    public static string? OverwritesInput(string input, string inputName, string output, string outputName) =>
        SameFile(input, output)
            ? $"{outputName} '{output}' is the same file as {inputName} '{input}'; writing there would replace the " +
              $"input with the output. Fix: give {outputName} a new file name."
            : null;

    /// <summary>
    /// Why <paramref name="output"/> (given as option <paramref name="outputName"/>) cannot be written, or null: it
    /// is empty, a folder, or one of the <paramref name="inputs"/> (option name, path) the same command reads.
    /// </summary>
    public static string? OutputProblem(string output, string outputName, params (string Name, string? Path)[] inputs)
    {
        if (string.IsNullOrWhiteSpace(output))
            return $"{outputName} is empty; give a file path.";
        if (Directory.Exists(output))
            return $"{outputName} '{output}' is a folder; give a file path inside it.";
        foreach (var (name, path) in inputs)
            if (path is not null && OverwritesInput(path, name, output, outputName) is { } overwrite)
                return overwrite;
        return null;
    }
}
