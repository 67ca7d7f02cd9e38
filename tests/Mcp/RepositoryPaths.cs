namespace StTrain.Tests.Mcp;

/// <summary>Locations the MCP and skill tests need: the repository root and the built server.</summary>
public static class RepositoryPaths
{
    /// <summary>The repository root: the nearest folder above the test binaries holding SKILL.md.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>references/.</summary>
    public static string References => Path.Combine(Root, "references");

    /// <summary>templates/.</summary>
    public static string Templates => Path.Combine(Root, "templates");

    /// <summary>The st-train server assembly copied next to the tests by the project reference.</summary>
    public static string ServerAssembly
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "st-train.dll");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException("st-train.dll is not next to the tests; build them.", path);
        }
    }

    /// <summary>A new empty folder under the system temp folder, for a test's workspace.</summary>
    public static string NewWorkspace()
    {
        var path = Path.Combine(Path.GetTempPath(), "st-train-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null;
             directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SKILL.md"))
                && Directory.Exists(Path.Combine(directory.FullName, "references")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("No folder above the test binaries holds SKILL.md and references/.");
    }
}
