using System.Text.Json;
using System.Text.Json.Serialization;

namespace StTrain.Tests.AgentEvals;

/// <summary>What a tool call must produce. Every field is optional; all given ones must hold.</summary>
public sealed record AgentEvalExpectation
{
    /// <summary>Whether the call is a tool error.</summary>
    [JsonPropertyName("is_error")]
    public bool? IsError { get; init; }

    /// <summary>Top-level structured-content fields and their exact JSON values.</summary>
    public Dictionary<string, JsonElement>? Fields { get; init; }

    /// <summary>Substrings the result text must contain.</summary>
    [JsonPropertyName("text_contains")]
    public IReadOnlyList<string>? TextContains { get; init; }

    /// <summary>Substrings the result text must not contain.</summary>
    [JsonPropertyName("text_not_contains")]
    public IReadOnlyList<string>? TextNotContains { get; init; }

    /// <summary>Structured array fields that must contain these string values.</summary>
    [JsonPropertyName("array_contains")]
    public Dictionary<string, string[]>? ArrayContains { get; init; }

    /// <summary>Structured array fields that must not contain these string values.</summary>
    [JsonPropertyName("array_not_contains")]
    public Dictionary<string, string[]>? ArrayNotContains { get; init; }

    /// <summary>Structured array fields and their lengths.</summary>
    [JsonPropertyName("array_length")]
    public Dictionary<string, int>? ArrayLength { get; init; }

    /// <summary>Workspace-relative files that must exist afterwards.</summary>
    [JsonPropertyName("files_exist")]
    public IReadOnlyList<string>? FilesExist { get; init; }

    /// <summary>Workspace-relative files that must not exist afterwards.</summary>
    [JsonPropertyName("files_absent")]
    public IReadOnlyList<string>? FilesAbsent { get; init; }
}
