namespace StTrain.Core.Training.Observability;

/// <summary>
/// One line of metrics.jsonl: the optimizer step, the fractional epoch and the values logged at that point
/// (keys such as "train/loss" or "eval/dev_cosine_ndcg@10"). <see cref="Time"/> is the UTC moment it was logged,
/// null when a reloaded line carried no "time" field.
/// </summary>
public sealed record MetricRecord(int Step, double Epoch, IReadOnlyDictionary<string, double> Values)
{
    public DateTimeOffset? Time { get; init; }

    /// <summary>The value for <paramref name="key"/>, or null when this record did not log it.</summary>
    public double? Get(string key) => Values.TryGetValue(key, out double value) ? value : null;
}
