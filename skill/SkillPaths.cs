namespace StTrain.Skill;

/// <summary>
/// Where the skill's files are. The content root holds SKILL.md, references/ and templates/ (the repository root);
/// the workspace root is where runs/ and logs/ are written and where `st-train smoke|train` runs.
/// </summary>
/// <param name="ContentRoot">Folder with SKILL.md, references/ and templates/.</param>
/// <param name="WorkspaceRoot">Folder for runs/ and logs/.</param>
public sealed record SkillPaths(string ContentRoot, string WorkspaceRoot)
{
    /// <summary>SKILL.md.</summary>
    public string SkillFile => Path.Combine(ContentRoot, "SKILL.md");

    /// <summary>references/.</summary>
    public string ReferencesDirectory => Path.Combine(ContentRoot, "references");

    /// <summary>templates/.</summary>
    public string TemplatesDirectory => Path.Combine(ContentRoot, "templates");

    /// <summary>
    /// Finds the content root: $ST_TRAIN_ROOT when it holds SKILL.md, else the nearest folder above the running
    /// assembly that does. The workspace is <paramref name="workspace"/>, else $ST_TRAIN_WORKSPACE, else the
    /// current directory.
    /// </summary>
    public static SkillPaths Discover(string? workspace = null)
    {
        var content = FromEnvironment("ST_TRAIN_ROOT") ?? SearchUpwards(AppContext.BaseDirectory)
            ?? throw new SkillException(
                "Cannot find SKILL.md: set ST_TRAIN_ROOT to the st-train repository root (./st-train does this).");
        var work = workspace ?? Environment.GetEnvironmentVariable("ST_TRAIN_WORKSPACE");
        return new SkillPaths(content, Path.GetFullPath(string.IsNullOrWhiteSpace(work) ? "." : work));
    }

    private static string? FromEnvironment(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        return !string.IsNullOrWhiteSpace(value) && File.Exists(Path.Combine(value, "SKILL.md"))
            ? Path.GetFullPath(value)
            : null;
    }

    private static string? SearchUpwards(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SKILL.md"))
                && Directory.Exists(Path.Combine(directory.FullName, "references")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
