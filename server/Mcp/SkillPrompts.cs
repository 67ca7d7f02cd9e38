using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace StTrain.Server.Mcp;

/// <summary>SKILL.md as an MCP prompt, optionally followed by the user's task.</summary>
[McpServerPromptType]
public sealed class SkillPrompts(SkillServices skill)
{
    /// <summary>train_sentence_transformers.</summary>
    [McpServerPrompt(Name = "train_sentence_transformers", Title = "Train a sentence-transformers model")]
    [Description("Starts a training task: the SKILL.md router followed by the user's request.")]
    public IEnumerable<PromptMessage> TrainSentenceTransformers(
        [Description("What the user wants trained, in their words (optional).")] string? task = null)
    {
        yield return new PromptMessage
        {
            Role = Role.User,
            Content = new TextContentBlock { Text = File.ReadAllText(skill.Paths.SkillFile) },
        };

        if (!string.IsNullOrWhiteSpace(task))
        {
            yield return new PromptMessage
            {
                Role = Role.User,
                Content = new TextContentBlock { Text = $"Task: {task}\nStart with identify_model_type." },
            };
        }
    }
}
