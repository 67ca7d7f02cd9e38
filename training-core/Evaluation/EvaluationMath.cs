namespace StTrain.Core.Evaluation;

/// <summary>
/// The statistics the evaluators report, with the conventions of the libraries sentence-transformers calls
/// (scipy pearsonr / spearmanr, scikit-learn average_precision_score / ndcg_score / matthews_corrcoef), so the numbers
/// match Python runs, ties included.
/// </summary>
internal static class EvaluationMath
{
    /// <summary>Pearson correlation; NaN when either side is constant (scipy returns nan there too).</summary>
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        int n = x.Count;
        if (n != y.Count) throw new ArgumentException("Pearson: both sides need the same length.");
        if (n < 2) return double.NaN;
        double mx = x.Average(), my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }

        if (sxx == 0 || syy == 0) return double.NaN;
        double r = sxy / Math.Sqrt(sxx * syy);
        return Math.Clamp(r, -1.0, 1.0);
    }

    /// <summary>Spearman correlation: Pearson of the ranks, tied values sharing their average rank.</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y) =>
        Pearson(AverageRanks(x), AverageRanks(y));

    /// <summary>1-based ranks in ascending order; a group of equal values gets the mean of its positions.</summary>
    public static double[] AverageRanks(IReadOnlyList<double> values)
    {
        int n = values.Count;
        int[] order = Enumerable.Range(0, n).OrderBy(i => values[i]).ToArray();
        var ranks = new double[n];
        int start = 0;
        while (start < n)
        {
            int end = start;
            while (end + 1 < n && values[order[end + 1]] == values[order[start]]) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = rank;
            start = end + 1;
        }

        return ranks;
    }

    /// <summary>
    /// Average precision as scikit-learn defines it: AP = sum_t (R_t - R_{t-1}) * P_t over the distinct score
    /// thresholds t in decreasing order, where P_t and R_t count every item scoring at least t (so tied items enter
    /// together). 0 when there is no positive.
    /// </summary>
    public static double AveragePrecision(IReadOnlyList<bool> relevant, IReadOnlyList<double> scores)
    {
        int positives = relevant.Count(r => r);
        if (positives == 0) return 0.0;
        int[] order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        double ap = 0, previousRecall = 0;
        int tp = 0, seen = 0, k = 0;
        while (k < order.Length)
        {
            double threshold = scores[order[k]];
            while (k < order.Length && scores[order[k]] == threshold)
            {
                if (relevant[order[k]]) tp++;
                seen++;
                k++;
            }

            double recall = (double)tp / positives;
            double precision = (double)tp / seen;
            ap += (recall - previousRecall) * precision;
            previousRecall = recall;
        }

        return ap;
    }

    /// <summary>
    /// nDCG@k as scikit-learn's ndcg_score computes it for one query: gains discounted by 1 / log2(rank + 1) over the
    /// first k ranks; items with tied scores share the average gain of their group, spread over the group's
    /// positions; divided by the DCG of the ideal ordering. 0 when the ideal DCG is 0.
    /// </summary>
    public static double Ndcg(IReadOnlyList<double> relevance, IReadOnlyList<double> scores, int k)
    {
        int n = relevance.Count;
        var discount = new double[n];
        for (int i = 0; i < n; i++) discount[i] = i < k ? 1.0 / Math.Log2(i + 2) : 0.0;

        double ideal = 0;
        double[] sortedGains = relevance.OrderByDescending(g => g).ToArray();
        for (int i = 0; i < n; i++) ideal += sortedGains[i] * discount[i];
        if (ideal == 0) return 0.0;

        int[] order = Enumerable.Range(0, n).OrderByDescending(i => scores[i]).ToArray();
        double dcg = 0;
        int start = 0;
        while (start < n)
        {
            int end = start;
            while (end + 1 < n && scores[order[end + 1]] == scores[order[start]]) end++;
            double gain = 0, discountSum = 0;
            for (int p = start; p <= end; p++)
            {
                gain += relevance[order[p]];
                discountSum += discount[p];
            }

            dcg += gain / (end - start + 1) * discountSum;
            start = end + 1;
        }

        return dcg / ideal;
    }

    /// <summary>Matthews correlation of a confusion matrix; 0 when a margin is empty (as scikit-learn).</summary>
    public static double MatthewsCorrelation(long tp, long tn, long fp, long fn)
    {
        double denominator = Math.Sqrt((double)(tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
        return denominator == 0 ? 0.0 : ((double)tp * tn - (double)fp * fn) / denominator;
    }

    /// <summary>Row-major float data of a 2-D tensor as double[rows][cols] (CPU copy).</summary>
    public static double[][] Rows(TorchSharp.torch.Tensor matrix)
    {
        using TorchSharp.torch.Tensor cpu = matrix.detach().cpu().to_type(TorchSharp.torch.ScalarType.Float64)
            .contiguous();
        int rows = (int)cpu.shape[0], cols = (int)cpu.shape[1];
        double[] flat = cpu.data<double>().ToArray();
        var result = new double[rows][];
        for (int r = 0; r < rows; r++) result[r] = flat.AsSpan(r * cols, cols).ToArray();
        return result;
    }

    /// <summary>Data of a 1-D tensor as double[] (CPU copy).</summary>
    public static double[] Values(TorchSharp.torch.Tensor vector)
    {
        using TorchSharp.torch.Tensor cpu = vector.detach().cpu().to_type(TorchSharp.torch.ScalarType.Float64)
            .contiguous();
        return cpu.data<double>().ToArray();
    }
}
