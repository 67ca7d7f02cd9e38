using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using StTrain.Skill.References;
using StTrain.Skill.Routing;
using StTrain.Skill.Templates;
using StTrain.Tests.Mcp;

namespace StTrain.Tests.AgentEvals;

/// <summary>Plays a transcript against a fresh `st-train serve` over MCP and checks every expectation.</summary>
public static class AgentEvalRunner
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>The transcripts in tests/AgentEvals/.</summary>
    public static IReadOnlyList<string> TranscriptFiles() =>
        Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "tests", "AgentEvals"), "*.json").Order().ToList();

    /// <summary>Parses a transcript file.</summary>
    public static AgentEvalTranscript Load(string path) =>
        JsonSerializer.Deserialize<AgentEvalTranscript>(File.ReadAllText(path), Json)
        ?? throw new InvalidDataException($"{path} holds no transcript.");

    /// <summary>Runs one transcript in its own server session and workspace.</summary>
    public static async Task<AgentEvalOutcome> RunAsync(AgentEvalTranscript transcript)
    {
        await using var session = await ServerSession.StartAsync();
        var results = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var failures = new List<string>();
        var passed = 0;
        var run = 0;
        foreach (var step in transcript.Steps)
        {
            if (step.StopUnless is { } condition)
            {
                if (!string.Equals(Resolve(condition, results), "true", StringComparison.Ordinal))
                {
                    return new AgentEvalOutcome(transcript.Name, passed, run, failures,
                        $"{condition} is not true: {step.Reason}");
                }

                continue;
            }

            run++;
            var before = failures.Count;
            try
            {
                await RunStepAsync(session, step, results, failures);
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                failures.Add($"{step.Id}: threw {error.GetType().Name}: {error.Message}");
            }

            if (failures.Count == before)
            {
                passed++;
            }
        }

        return new AgentEvalOutcome(transcript.Name, passed, run, failures, null);
    }

    private static async Task RunStepAsync(
        ServerSession session, AgentEvalStep step, Dictionary<string, JsonElement> results, List<string> failures)
    {
        if (step.ReadRequired is { } type)
        {
            await session.ReadAllAsync(ReferenceRegistry.RequiredFor(Enum.Parse<ModelType>(type)).Select(r => r.Name));
            return;
        }

        if (step.Read is { } names)
        {
            await session.ReadAllAsync(names);
            return;
        }

        if (step.Fixture is { } fixture)
        {
            Fixtures.Apply(fixture, step, session.Workspace);
            return;
        }

        var tool = step.Tool ?? throw new InvalidDataException($"Step {step.Id} has no tool, fixture or reading.");
        var arguments = step.Arguments is { ValueKind: JsonValueKind.Object } given
            ? JsonSerializer.Deserialize<Dictionary<string, object?>>(given.GetRawText())
            : null;
        var result = await session.CallAsync(tool, arguments);
        if (result.StructuredContent is { } structured)
        {
            results[step.Id] = structured;
        }

        var expectation = step.Expect;
        if (step.ExpectBy is { } branch)
        {
            var key = Resolve(branch.Ref, results) ?? "null";
            if (!branch.Cases.TryGetValue(key, out expectation))
            {
                failures.Add($"{step.Id}: {branch.Ref} is {key}, which no case covers");
                return;
            }
        }

        if (expectation is not null)
        {
            Check(step.Id, expectation, result, session.Workspace, failures);
        }
    }

    // "step.field" from an earlier structured result, or "template:NAME.available" from the registry.
    private static string? Resolve(string reference, Dictionary<string, JsonElement> results)
    {
        if (reference.StartsWith("template:", StringComparison.Ordinal))
        {
            var name = reference["template:".Length..].Split('.')[0];
            return TemplateRegistry.Find(name)?.Available.ToString().ToLowerInvariant();
        }

        var parts = reference.Split('.', 2);
        if (parts.Length != 2 || !results.TryGetValue(parts[0], out var result)
                              || !result.TryGetProperty(parts[1], out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.String => value.GetString(),
            _ => value.GetRawText(),
        };
    }

    private static void Check(
        string id, AgentEvalExpectation expect, CallToolResult result, string workspace, List<string> failures)
    {
        var text = ServerSession.TextOf(result);
        var isError = result.IsError is true;
        var structured = result.StructuredContent;
        void Fail(string message) => failures.Add($"{id}: {message}");

        if (expect.IsError is { } wantError && wantError != isError)
        {
            Fail($"expected is_error={wantError}, got {isError}: {Shorten(text)}");
        }

        foreach (var (field, want) in expect.Fields ?? [])
        {
            if (structured is not { } content || !content.TryGetProperty(field, out var got))
            {
                Fail($"structured field '{field}' missing");
            }
            else if (!JsonElement.DeepEquals(got, want))
            {
                Fail($"'{field}' is {got.GetRawText()}, expected {want.GetRawText()}");
            }
        }

        foreach (var needle in expect.TextContains ?? [])
        {
            if (!text.Contains(needle, StringComparison.Ordinal))
            {
                Fail($"text lacks \"{needle}\": {Shorten(text)}");
            }
        }

        foreach (var needle in expect.TextNotContains ?? [])
        {
            if (text.Contains(needle, StringComparison.Ordinal))
            {
                Fail($"text contains \"{needle}\"");
            }
        }

        foreach (var (field, values) in expect.ArrayContains ?? [])
        {
            var items = Strings(structured, field);
            foreach (var value in values.Where(value => !items.Contains(value)))
            {
                Fail($"'{field}' lacks \"{value}\" ({string.Join(", ", items)})");
            }
        }

        foreach (var (field, values) in expect.ArrayNotContains ?? [])
        {
            var items = Strings(structured, field);
            foreach (var value in values.Where(items.Contains))
            {
                Fail($"'{field}' contains \"{value}\"");
            }
        }

        foreach (var (field, length) in expect.ArrayLength ?? [])
        {
            var count = Strings(structured, field).Count;
            if (count != length)
            {
                Fail($"'{field}' has {count} items, expected {length}");
            }
        }

        foreach (var file in expect.FilesExist ?? [])
        {
            if (!File.Exists(Path.Combine(workspace, file)))
            {
                Fail($"{file} does not exist");
            }
        }

        foreach (var file in expect.FilesAbsent ?? [])
        {
            if (File.Exists(Path.Combine(workspace, file)))
            {
                Fail($"{file} exists");
            }
        }
    }

    private static List<string> Strings(JsonElement? structured, string field) =>
        structured is { } content && content.TryGetProperty(field, out var array)
                                  && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.String
                ? item.GetString()!
                : item.GetRawText()).ToList()
            : [];

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    /// <summary>A markdown report: one row per scenario and the overall pass rates.</summary>
    public static string Report(IReadOnlyList<AgentEvalOutcome> outcomes)
    {
        var text = new StringBuilder();
        var scenarioRate = outcomes.Count == 0 ? 0 : outcomes.Count(o => o.Passed) / (double)outcomes.Count;
        var steps = outcomes.Sum(o => o.StepsRun);
        var stepRate = steps == 0 ? 0 : outcomes.Sum(o => o.StepsPassed) / (double)steps;
        text.AppendLine("# Agent evaluation report");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Scenarios passed: {outcomes.Count(o => o.Passed)}/{outcomes.Count} ({scenarioRate:P0}); "
            + $"steps passed: {outcomes.Sum(o => o.StepsPassed)}/{steps} ({stepRate:P0}).");
        text.AppendLine();
        text.AppendLine("| scenario | result | steps | note |");
        text.AppendLine("|---|---|---|---|");
        foreach (var outcome in outcomes)
        {
            var note = outcome.Failures.Count > 0
                ? string.Join("; ", outcome.Failures).Replace("|", "\\|", StringComparison.Ordinal)
                : outcome.StoppedBecause is { } reason ? $"stopped early: {reason}" : "";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {outcome.Name} | {(outcome.Passed ? "pass" : "FAIL")} | {outcome.StepsPassed}/{outcome.StepsRun} | "
                + $"{note} |");
        }

        return text.ToString();
    }

    /// <summary>SHA-256 hex of a file, as the server computes spec hashes.</summary>
    public static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
