namespace StTrain.Core.Data;

/// <summary>The mined dataset and the summary of how it was mined.</summary>
public sealed record HardNegativeMiningResult(TabularDataset Dataset, HardNegativeMiningSummary Summary);
