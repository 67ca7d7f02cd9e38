using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace StTrain.Core.Training;

/// <summary>
/// runs/{RUN_NAME}/result.json: the state of a run as the MCP server and people read it. Written when the run starts
/// (status running), and again when it finishes or fails.
/// </summary>
public sealed record RunResult
{
    [JsonPropertyName("run_name")] public required string RunName { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("smoke")] public bool Smoke { get; init; }
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "SentenceTransformer";
    [JsonPropertyName("base_model")] public string? BaseModel { get; init; }
    [JsonPropertyName("verdict")] public string? Verdict { get; init; }
    [JsonPropertyName("verdict_line")] public string? VerdictLine { get; init; }
    [JsonPropertyName("score")] public double? Score { get; init; }
    [JsonPropertyName("baseline")] public double? Baseline { get; init; }
    [JsonPropertyName("delta")] public double? Delta { get; init; }
    [JsonPropertyName("primary_metric")] public string? PrimaryMetric { get; init; }
    [JsonPropertyName("model_path")] public string? ModelPath { get; init; }
    [JsonPropertyName("metrics")] public IReadOnlyDictionary<string, double>? Metrics { get; init; }
    [JsonPropertyName("baseline_metrics")] public IReadOnlyDictionary<string, double>? BaselineMetrics { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
    [JsonPropertyName("log_path")] public string? LogPath { get; init; }
    [JsonPropertyName("spec_path")] public string? SpecPath { get; init; }
    [JsonPropertyName("global_step")] public int? GlobalStep { get; init; }
    [JsonPropertyName("total_steps")] public int? TotalSteps { get; init; }
    [JsonPropertyName("experiments_row")] public string? ExperimentsRow { get; init; }
    [JsonPropertyName("started_at")] public DateTimeOffset? StartedAt { get; init; }
    [JsonPropertyName("finished_at")] public DateTimeOffset? FinishedAt { get; init; }
    [JsonPropertyName("pid")] public int? ProcessId { get; init; }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    // Readers (the MCP server, people's scripts) must not lose a whole result because a hand-edited or older file
    // lacks run_name or status, so reading drops the `required` check and TryRead fills those two in afterwards.
    private static readonly JsonSerializerOptions ReadOptions = new(Options)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                static info =>
                {
                    foreach (var property in info.Properties)
                    {
                        property.IsRequired = false;
                    }
                },
            },
        },
    };

    /// <summary>What <see cref="Status"/> holds when a result.json read back has no "status" field.</summary>
    public const string UnknownStatus = "unknown";

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Options));
        File.Move(temp, path, overwrite: true);
    }

    public static RunResult? TryRead(string path) => TryRead(path, out _);

    /// <summary>
    /// Reads result.json, or null when it is absent or unreadable (then <paramref name="problem"/> names the file and
    /// the reason). A missing run_name becomes the run folder's name; a missing status becomes
    /// <see cref="UnknownStatus"/>.
    /// </summary>
    public static RunResult? TryRead(string path, out string? problem)
    {
        problem = null;
        if (!File.Exists(path)) return null;
        try
        {
            var result = JsonSerializer.Deserialize<RunResult>(File.ReadAllText(path), ReadOptions);
            if (result is null)
            {
                problem = $"{path} could not be read: it holds JSON null instead of an object.";
                return null;
            }

            // Both are null here only when the file lacks them (the resolver above lets that through).
            string? runName = result.RunName;
            string? status = result.Status;
            return result with
            {
                RunName = runName ?? Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "",
                Status = status ?? UnknownStatus,
            };
        }
        catch (Exception error) when (error is JsonException or IOException or NotSupportedException)
        {
            problem = $"{path} could not be read: {error.Message}";
            return null;
        }
    }
}
