namespace StTrain.Core.Data;

/// <summary>
/// Summary of a score list: count, mean, median (lower middle value, as torch.median), unbiased standard
/// deviation, min, quartiles (linear interpolation, as torch.quantile) and max. NaN fields when empty.
/// </summary>
public sealed record ScoreStatistics(long Count, double Mean, double Median, double Std, double Min, double Q25,
    double Q50, double Q75, double Max)
{
    public static ScoreStatistics From(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            return new ScoreStatistics(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN,
                double.NaN, double.NaN);
        double[] sorted = values.Order().ToArray();
        int n = sorted.Length;
        double mean = sorted.Average();
        // std = sqrt(Σ(x − mean)² / (n − 1)); one value has no spread to estimate.
        double std = n > 1 ? Math.Sqrt(sorted.Sum(v => (v - mean) * (v - mean)) / (n - 1)) : double.NaN;
        return new ScoreStatistics(n, mean, sorted[(n - 1) / 2], std, sorted[0], Quantile(sorted, 0.25),
            Quantile(sorted, 0.5), Quantile(sorted, 0.75), sorted[^1]);
    }

    /// <summary>q-quantile of sorted values: position q·(n−1), interpolated between its neighbours.</summary>
    private static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }
}
