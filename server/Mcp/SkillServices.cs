using StTrain.Skill;
using StTrain.Skill.References;
using StTrain.Skill.Runs;
using StTrain.Skill.Templates;

namespace StTrain.Server.Mcp;

/// <summary>The skill's libraries and state, shared by every tool for the life of the server.</summary>
public sealed class SkillServices
{
    /// <summary>Builds the services over the given content and workspace folders.</summary>
    public SkillServices(SkillPaths paths)
    {
        Paths = paths;
        References = new ReferenceLibrary(paths.ReferencesDirectory);
        Templates = new TemplateLibrary(paths.TemplatesDirectory);
        Workspace = new RunWorkspace(paths.WorkspaceRoot);
        Runs = new RunRegistry(Workspace);
        Gate = new ReadingGate(References);
    }

    /// <summary>Content and workspace folders.</summary>
    public SkillPaths Paths { get; }

    /// <summary>references/.</summary>
    public ReferenceLibrary References { get; }

    /// <summary>templates/.</summary>
    public TemplateLibrary Templates { get; }

    /// <summary>runs/ and logs/.</summary>
    public RunWorkspace Workspace { get; }

    /// <summary>Run state from files.</summary>
    public RunRegistry Runs { get; }

    /// <summary>Required-reading checks.</summary>
    public ReadingGate Gate { get; }

    /// <summary>Per-session reading ledgers.</summary>
    public ReadingLedgerStore Ledgers { get; } = new();
}
