namespace StTrain.Core.Training;

/// <summary>A progress report of a running trainer: optimizer step out of total, with the latest loss.</summary>
public sealed record TrainingProgress(int Step, int TotalSteps, double? Loss, string Message);
