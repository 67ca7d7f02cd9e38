using System.Text.Json;
using System.Text.Json.Serialization;

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

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Options));
        File.Move(temp, path, overwrite: true);
    }

    public static RunResult? TryRead(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<RunResult>(File.ReadAllText(path), Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
