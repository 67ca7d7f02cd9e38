using StTrain.Core.Losses;
using static TorchSharp.torch;

namespace StTrain.Core.Evaluation;

/// <summary>
/// The key layout of evaluators that score each similarity function separately (EmbeddingSimilarityEvaluator,
/// BinaryClassificationEvaluator, TripletEvaluator): every function's metrics, then, with several functions, each
/// metric's best value over them under the function name "max". A key function spells a (function, metric) pair in
/// the evaluator's own order, e.g. "cosine_ap" or "spearman_cosine".
/// </summary>
internal static class PerFunctionMetrics
{
    /// <summary>The function name of the best-over-functions keys.</summary>
    public const string Max = "max";

    /// <summary>The keys for <paramref name="functions"/>, in report order.</summary>
    public static IEnumerable<string> Keys(
        IReadOnlyList<string> functions, IReadOnlyList<string> metrics, Func<string, string, string> key)
    {
        foreach (string fn in functions)
        {
            foreach (string metric in metrics) yield return key(fn, metric);
        }

        if (functions.Count > 1)
        {
            foreach (string metric in metrics) yield return key(Max, metric);
        }
    }

    /// <summary>
    /// The metrics <paramref name="score"/> gives each function (it must give every one of
    /// <paramref name="metrics"/>), then the maxima when there are several functions. Keys are not yet prefixed.
    /// </summary>
    public static Dictionary<string, double> Compute(
        IReadOnlyList<string> functions, IReadOnlyList<string> metrics, Func<string, string, string> key,
        Func<string, IEnumerable<(string Metric, double Value)>> score)
    {
        var values = new Dictionary<string, double>();
        foreach (string fn in functions)
        {
            foreach (var (metric, value) in score(fn)) values[key(fn, metric)] = value;
        }

        if (functions.Count > 1)
        {
            foreach (string metric in metrics) values[key(Max, metric)] = functions.Max(fn => values[key(fn, metric)]);
        }

        return values;
    }

    /// <summary>fn(a_i, b_i) for every row i, as doubles.</summary>
    public static double[] Pairwise(string fn, Tensor a, Tensor b)
    {
        using Tensor similarity = SimilarityFunctions.Pairwise(fn, a, b);
        return EvaluationMath.Values(similarity);
    }
}
