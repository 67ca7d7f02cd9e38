using System.Text.Json;
using System.Text.Json.Serialization;

namespace StTrain.Core.Training;

/// <summary>trainer_state.json of a checkpoint: where the run stood, so a resumed run continues exactly there.</summary>
public sealed record TrainerState
{
    [JsonPropertyName("global_step")] public int GlobalStep { get; set; }
    [JsonPropertyName("epoch")] public int Epoch { get; set; }
    [JsonPropertyName("batch_in_epoch")] public int BatchInEpoch { get; set; }
    [JsonPropertyName("total_steps")] public int TotalSteps { get; set; }
    [JsonPropertyName("best_metric")] public double? BestMetric { get; set; }
    [JsonPropertyName("best_model_checkpoint")] public string? BestModelCheckpoint { get; set; }
    [JsonPropertyName("patience_counter")] public int PatienceCounter { get; set; }
    [JsonPropertyName("baseline_metrics")] public Dictionary<string, double> BaselineMetrics { get; set; } = new();
    [JsonPropertyName("log_history")] public List<Dictionary<string, double>> LogHistory { get; set; } = [];
    [JsonPropertyName("loss_since_log")] public double LossSinceLog { get; set; }
    [JsonPropertyName("steps_since_log")] public int StepsSinceLog { get; set; }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Options));

    public static TrainerState Read(string path) =>
        JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path), Options)
        ?? throw new InvalidDataException($"{path} is empty.");
}
