namespace StTrain.Core.Training;

/// <summary>How a run is executed: smoke mode, where the model goes, and who hears about progress.</summary>
public sealed record TrainerOptions
{
    /// <summary>max_steps = 1 on tiny slices, no mid-run evaluation or checkpoints, no Hub push.</summary>
    public bool Smoke { get; init; }
    public required string OutputDir { get; init; }
    public IProgress<TrainingProgress>? Progress { get; init; }
}
