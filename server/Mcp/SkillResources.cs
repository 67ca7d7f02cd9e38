using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace StTrain.Server.Mcp;

/// <summary>SKILL.md as an MCP resource.</summary>
[McpServerResourceType]
public sealed class SkillResources(SkillServices skill)
{
    /// <summary>The resource URI of SKILL.md.</summary>
    public const string SkillUri = "skill://train-sentence-transformers/SKILL.md";

    /// <summary>SKILL.md.</summary>
    [McpServerResource(UriTemplate = SkillUri, Name = "SKILL.md", Title = "Train sentence-transformers (router)",
        MimeType = "text/markdown")]
    [Description("The skill router: how to go from a request to a trained model with this server's tools.")]
    public TextResourceContents Skill() => new()
    {
        Uri = SkillUri,
        MimeType = "text/markdown",
        Text = File.ReadAllText(skill.Paths.SkillFile),
    };
}
