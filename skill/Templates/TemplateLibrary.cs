namespace StTrain.Skill.Templates;

/// <summary>Reads template files from the templates/ folder by registered name only.</summary>
public sealed class TemplateLibrary(string directory)
{
    /// <summary>The folder templates are read from.</summary>
    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>The registry entry for a name; <see cref="SkillException"/> listing valid names when unknown.</summary>
    public static TemplateInfo Resolve(string? name) =>
        TemplateRegistry.Find(name) ?? throw new SkillException(
            $"No template named '{name}'. Valid names: {string.Join(", ", TemplateRegistry.All.Select(t => t.Name))}.");

    /// <summary>The template's YAML text.</summary>
    public string ReadText(TemplateInfo info)
    {
        var path = Path.Combine(Directory, info.FileName);
        if (!File.Exists(path))
        {
            throw new SkillException(
                $"Template '{info.Name}' is registered but {path} is missing; the installation is incomplete.");
        }

        return File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
    }
}
