namespace StTrain.Skill;

/// <summary>
/// Decides whether a path stays inside the workspace by where it really leads, not by its text: the workspace root
/// and the path are both resolved through every symbolic link on the way (a path that does not exist yet through its
/// deepest existing ancestor, which is where it would be created). A link inside the workspace that points elsewhere
/// therefore cannot carry a read or a write out of it, while a link that points to another place inside keeps
/// working. Every check the MCP server makes on a client-given or spec path goes through this one class.
/// </summary>
public sealed class WorkspaceBoundary
{
    /// <summary>Symbolic links followed for one path before giving up (the usual operating-system limit).</summary>
    public const int MaxLinks = 40;

    /// <summary>How many links <see cref="OutsideLinks"/> names one by one before it only counts the rest.</summary>
    public const int LinksShown = 5;

    private const string DefaultFix =
        "Keep it inside the workspace: copy the file or folder into the workspace (a symbolic link must point inside "
        + "the workspace too) and give its path relative to the workspace, e.g. data/pairs.jsonl.";

    /// <summary>A boundary at <paramref name="root"/>.</summary>
    public WorkspaceBoundary(string root)
    {
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        RealRoot = RealPath(Root);
    }

    /// <summary>The workspace root as configured (full path).</summary>
    public string Root { get; }

    /// <summary>The workspace root with every symbolic link resolved.</summary>
    public string RealRoot { get; }

    /// <summary>A workspace-relative path made full (an absolute path is kept as it is; '..' is folded).</summary>
    public string Full(string path) => Path.GetFullPath(Path.Combine(Root, ExpandHome(path)));

    /// <summary>True when <paramref name="fullPath"/> really lies inside the workspace (or is its root).</summary>
    public bool Contains(string fullPath)
    {
        try
        {
            return IsUnder(RealPath(fullPath), RealRoot);
        }
        catch (IOException)
        {
            return false; // A link loop leads nowhere the workspace can vouch for.
        }
    }

    /// <summary>
    /// Null when <paramref name="fullPath"/> really lies inside the workspace; otherwise a message that names
    /// <paramref name="argument"/>, the path as <paramref name="given"/>, where it really points, and the fix
    /// (<paramref name="fix"/>, or copying the file into the workspace).
    /// </summary>
    public string? Problem(string argument, string given, string fullPath, string? fix = null)
    {
        string full = Path.GetFullPath(fullPath);
        string real;
        try
        {
            real = RealPath(full);
        }
        catch (IOException error)
        {
            return $"{argument} '{given}' cannot be checked against the workspace {Root}: {error.Message} "
                   + (fix ?? DefaultFix);
        }

        if (IsUnder(real, RealRoot))
        {
            return null;
        }

        string where = string.Equals(real, full, StringComparison.Ordinal)
            ? $"it resolves to {full}"
            : $"it resolves to {full}, which really points to {real} (a symbolic link on the way leads out)";
        return $"{argument} '{given}' leads outside the workspace {Root}: {where}. {fix ?? DefaultFix}";
    }

    /// <summary>
    /// Returns <paramref name="fullPath"/> when it really lies inside the workspace; otherwise throws a
    /// <see cref="SkillException"/> with the message of <see cref="Problem"/>.
    /// </summary>
    public string Require(string argument, string given, string fullPath, string? fix = null) =>
        Problem(argument, given, fullPath, fix) is { } problem ? throw new SkillException(problem) : fullPath;

    /// <summary>
    /// The full path of a client-given path relative to the workspace, refused (<see cref="SkillException"/>) when
    /// empty or when it really leads outside the workspace.
    /// </summary>
    public string RequireRelative(string argument, string? given)
    {
        if (string.IsNullOrWhiteSpace(given))
        {
            throw new SkillException($"{argument} is empty; give a path relative to the workspace.");
        }

        return Require(argument, given, Full(given),
            "Give a path relative to the workspace, such as data/pairs.jsonl, without '..' leading out of it; a "
            + "symbolic link on the way must point inside the workspace too (copy the file in otherwise).");
    }

    /// <summary>
    /// One line per symbolic link at or below <paramref name="folder"/> that really leads outside the workspace (or
    /// cannot be resolved), naming <paramref name="argument"/> '<paramref name="given"/>', the link, its target, where
    /// it really points and <paramref name="fix"/>. The folder is walked without following its links: a link that
    /// stays inside and names a folder is walked once more at the place it leads to, since what lies there is
    /// written or read through it too. At most <see cref="LinksShown"/> links are named, then a count of the rest.
    /// Empty when the folder does not exist or holds no such link.
    /// </summary>
    public IReadOnlyList<string> OutsideLinks(string argument, string given, string folder, string fix)
    {
        var problems = new List<string>();
        int hidden = 0;
        var walked = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        pending.Push(Path.GetFullPath(folder));
        while (pending.TryPop(out string? directory))
        {
            List<FileSystemInfo> entries;
            try
            {
                if (!Directory.Exists(directory) || !walked.Add(RealPath(directory)))
                {
                    continue;
                }

                entries = new DirectoryInfo(directory).EnumerateFileSystemInfos().ToList();
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                continue; // Nothing can be written or read there through this folder either.
            }

            foreach (var entry in entries)
            {
                if (entry.LinkTarget is not { } target)
                {
                    if (entry is DirectoryInfo)
                    {
                        pending.Push(entry.FullName);
                    }

                    continue;
                }

                string where;
                try
                {
                    string real = RealPath(entry.FullName);
                    if (IsUnder(real, RealRoot))
                    {
                        pending.Push(entry.FullName);
                        continue;
                    }

                    where = $"which leads outside the workspace {Root} (it really points to {real})";
                }
                catch (IOException error)
                {
                    where = $"which cannot be resolved ({error.Message})";
                }

                if (problems.Count == LinksShown)
                {
                    hidden++;
                    continue;
                }

                problems.Add($"{argument} '{given}' holds the symbolic link {Shown(entry.FullName)} -> {target}, "
                             + $"{where}. {fix}");
            }
        }

        if (hidden > 0)
        {
            problems.Add($"{argument} '{given}' holds {hidden} more symbolic links that lead outside the workspace "
                         + $"below {Shown(folder)}. {fix}");
        }

        return problems;
    }

    /// <summary>
    /// The full path a model reference names when it is a filesystem path, or null when it is an id (a bundled id or
    /// a Hugging Face cache id such as sentence-transformers/all-MiniLM-L6-v2). Like the trainer's model resolver,
    /// which looks for a folder relative to the workspace before it tries the cache, a reference is a path when it
    /// is absolute, starts with '~' or '.', contains '..', or names something that exists in the workspace.
    /// </summary>
    public string? ModelPath(string? reference)
    {
        if (string.IsNullOrWhiteSpace(reference))
        {
            return null;
        }

        string full = Full(reference);
        bool pathLike = Path.IsPathRooted(reference) || reference.StartsWith('~') || reference.StartsWith('.')
                        || reference.Contains("..", StringComparison.Ordinal) || reference.Contains('\\');
        return pathLike || Directory.Exists(full) || File.Exists(full) || IsLink(full) ? full : null;
    }

    /// <summary>
    /// <paramref name="path"/> made full, with every symbolic link among its components followed (also links whose
    /// target does not exist); the part below the deepest existing folder is kept as written, since it would be
    /// created there. Throws <see cref="IOException"/> after <see cref="MaxLinks"/> links (a loop).
    /// </summary>
    public static string RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        string current = Path.GetPathRoot(full) ?? Path.DirectorySeparatorChar.ToString();
        // Components still to walk, the next one on top; a link pushes its target's components.
        var pending = new Stack<string>(Components(full[current.Length..]).Reverse());
        int links = 0;
        bool existing = true;
        while (pending.TryPop(out string? component))
        {
            if (component is "" or ".")
            {
                continue;
            }

            if (component == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            string candidate = Path.Join(current, component);
            string? target = existing ? new FileInfo(candidate).LinkTarget : null;
            if (target is null)
            {
                existing = existing && (Directory.Exists(candidate) || File.Exists(candidate));
                current = candidate;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException($"more than {MaxLinks} symbolic links on the way to {full} (a link loop?).");
            }

            if (Path.IsPathRooted(target))
            {
                current = Path.GetPathRoot(target) ?? current;
                target = target[current.Length..];
            }

            foreach (string part in Components(target).Reverse())
            {
                pending.Push(part);
            }
        }

        return current;
    }

    // A path relative to the root when it is written below it, else as it is.
    private string Shown(string path)
    {
        string relative = Path.GetRelativePath(Root, Path.GetFullPath(path));
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? path
            : relative.Replace('\\', '/');
    }

    private static IEnumerable<string> Components(string relative) =>
        relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]);

    private static bool IsUnder(string path, string root) =>
        string.Equals(path, root, StringComparison.Ordinal)
        || path.StartsWith(Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar,
            StringComparison.Ordinal);

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    private static string ExpandHome(string path) => path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
        ? Path.Join(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 1 ? path[2..] : "")
        : path;
}
