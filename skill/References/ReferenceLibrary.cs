using System.Text.RegularExpressions;

namespace StTrain.Skill.References;

/// <summary>
/// Reads reference files from one folder. Only names in <see cref="ReferenceRegistry"/> are served, a name is
/// checked for path syntax before it is looked up, and a file that is a link must resolve inside the folder, so no
/// request can read anything outside references/.
/// </summary>
public sealed partial class ReferenceLibrary
{
    private readonly string _directory;
    private readonly int _pageSize;

    /// <summary>A library over <paramref name="directory"/> (the references/ folder).</summary>
    public ReferenceLibrary(string directory, int pageSize = ReferencePaginator.DefaultPageSize)
    {
        _directory = Path.GetFullPath(directory);
        _pageSize = pageSize;
    }

    /// <summary>The folder the references are read from.</summary>
    public string Directory => _directory;

    [GeneratedRegex(@"^[A-Za-z0-9_-]+(\.md)?$")]
    private static partial Regex SafeName();

    /// <summary>Loads a reference by name; <see cref="SkillException"/> for a bad, unknown or escaping name.</summary>
    public ReferenceDocument Load(string? name)
    {
        var info = Resolve(name);
        var path = Path.Combine(_directory, info.FileName);
        EnsureInside(path, info.Name);
        if (!File.Exists(path))
        {
            throw new SkillException(
                $"Reference '{info.Name}' is registered but {path} is missing; the installation is incomplete.");
        }

        var text = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        var pages = ReferencePaginator.Paginate(text, _pageSize);
        return new ReferenceDocument(info, pages, MarkdownSections.Headings(text));
    }

    /// <summary>Checks a requested name and maps it to its registry entry.</summary>
    public static ReferenceInfo Resolve(string? name)
    {
        var valid = string.Join(", ", ReferenceRegistry.All.Select(info => info.Name));
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new SkillException($"Give a reference name. Valid names: {valid}.");
        }

        if (!SafeName().IsMatch(name.Trim()))
        {
            throw new SkillException(
                $"'{name}' is not a reference name: names are plain words (letters, digits, '_' and '-', optionally "
                + $"ending in .md) with no path separators, '..' or absolute paths. Valid names: {valid}.");
        }

        return ReferenceRegistry.Find(name)
            ?? throw new SkillException($"No reference named '{name}'. Valid names: {valid}.");
    }

    // A reference that is a link (or sits under a linked folder) must still land inside the references folder.
    private void EnsureInside(string path, string name)
    {
        var root = RealPath(_directory);
        var target = RealPath(path);
        var rootWithSeparator = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        if (!target.StartsWith(rootWithSeparator, StringComparison.Ordinal))
        {
            throw new SkillException(
                $"Reference '{name}' resolves outside the references folder and is not served.");
        }
    }

    private static string RealPath(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            var final = info.ResolveLinkTarget(returnFinalTarget: true);
            return final is null ? Path.GetFullPath(path) : Path.GetFullPath(final.FullName);
        }

        var directory = new DirectoryInfo(path);
        if (directory.LinkTarget is not null)
        {
            var final = directory.ResolveLinkTarget(returnFinalTarget: true);
            return final is null ? Path.GetFullPath(path) : Path.GetFullPath(final.FullName);
        }

        // Resolve links in the parent chain too (references/ itself may be reached through a link).
        var parent = Path.GetDirectoryName(Path.GetFullPath(path));
        return parent is null || parent == Path.GetFullPath(path)
            ? Path.GetFullPath(path)
            : Path.Combine(RealPath(parent), Path.GetFileName(path));
    }
}
