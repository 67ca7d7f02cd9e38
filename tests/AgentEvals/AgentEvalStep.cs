using System.Text.Json;
using System.Text.Json.Serialization;

namespace StTrain.Tests.AgentEvals;

/// <summary>
/// One step of a scripted agent transcript: a tool call with its expected outcome, a reading macro, a fixture
/// (what an agent or the world does outside the tools: writing data, editing a file) or a stop condition.
/// </summary>
public sealed record AgentEvalStep
{
    /// <summary>Step id, used in the report and by later steps' references ("smoke.passed").</summary>
    public string Id { get; init; } = "";

    /// <summary>The tool to call.</summary>
    public string? Tool { get; init; }

    /// <summary>The tool's arguments.</summary>
    public JsonElement? Arguments { get; init; }

    /// <summary>The expected outcome.</summary>
    public AgentEvalExpectation? Expect { get; init; }

    /// <summary>An outcome that depends on an earlier result: { ref, cases: { "true": ..., "false": ... } }.</summary>
    [JsonPropertyName("expect_by")]
    public AgentEvalBranch? ExpectBy { get; init; }

    /// <summary>Reads every page of every required reference for this model type, as a compliant agent does.</summary>
    [JsonPropertyName("read_required")]
    public string? ReadRequired { get; init; }

    /// <summary>Reads every page of these references.</summary>
    public IReadOnlyList<string>? Read { get; init; }

    /// <summary>
    /// A fixture: write_tiny_retrieval_data, copy_template_as_spec, record_passing_smoke or append_to_file.
    /// </summary>
    public string? Fixture { get; init; }

    /// <summary>Fixture argument: a workspace-relative path.</summary>
    public string? Path { get; init; }

    /// <summary>Fixture argument: text to write.</summary>
    public string? Text { get; init; }

    /// <summary>Fixture argument: a template name.</summary>
    public string? Template { get; init; }

    /// <summary>Fixture argument: a run name.</summary>
    [JsonPropertyName("run_name")]
    public string? RunName { get; init; }

    /// <summary>Ends the transcript (as passed) unless this reference is true.</summary>
    [JsonPropertyName("stop_unless")]
    public string? StopUnless { get; init; }

    /// <summary>Why a stop happens, for the report.</summary>
    public string? Reason { get; init; }
}
