using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using StTrain.Skill;

namespace StTrain.Server.Mcp;

/// <summary>Builds tool results: readable text for the model plus structuredContent for programs.</summary>
public static class ToolResults
{
    /// <summary>
    /// snake_case JSON for structured content and output schemas, based on the SDK's defaults; nulls are written so
    /// every field of the output schema is present.
    /// </summary>
    public static JsonSerializerOptions Json { get; } = new(McpJsonUtilities.DefaultOptions)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
        WriteIndented = false,
    };

    /// <summary>A successful result carrying <paramref name="value"/> as structured content.</summary>
    public static CallToolResult Create<T>(T value, string text, params ContentBlock[] extra) => new()
    {
        Content = [new TextContentBlock { Text = text }, .. extra],
        StructuredContent = JsonSerializer.SerializeToElement(value, Json),
    };

    /// <summary>The longest a tool may wait for its child process, in seconds.</summary>
    public const int MaxTimeoutSeconds = 3600;

    /// <summary>A tool's timeout_seconds argument as a time limit; a tool error when it is out of range.</summary>
    public static TimeSpan TimeLimit(int timeoutSeconds) => timeoutSeconds is >= 1 and <= MaxTimeoutSeconds
        ? TimeSpan.FromSeconds(timeoutSeconds)
        : throw new SkillException(
            $"timeout_seconds must be between 1 and {MaxTimeoutSeconds} (got {timeoutSeconds}).");

    /// <summary>Runs a tool body, turning a <see cref="SkillException"/> into a tool error the client sees.</summary>
    public static T Guard<T>(Func<T> body)
    {
        try
        {
            return body();
        }
        catch (SkillException refusal)
        {
            throw new McpException(refusal.Message, refusal);
        }
    }

    /// <summary>The asynchronous form of <see cref="Guard{T}(Func{T})"/>.</summary>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> body)
    {
        try
        {
            return await body();
        }
        catch (SkillException refusal)
        {
            throw new McpException(refusal.Message, refusal);
        }
    }
}
