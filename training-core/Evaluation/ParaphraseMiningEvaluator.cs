using StTrain.Core.Losses;
using StTrain.Core.Models;
using static TorchSharp.torch;

namespace StTrain.Core.Evaluation;

/// <summary>
/// Paraphrase mining over a set of sentences: each sentence's top_k most cosine-similar other sentences form
/// candidate pairs, ranked by similarity (at most max_pairs). Walking down that list, every known duplicate pair adds
/// its precision-so-far to average_precision (divided by the number of known duplicate pairs); f1, precision and
/// recall are taken at the best-F1 cut and threshold is the midpoint between that pair's score and the next one's.
/// Keys: average_precision (primary), f1, precision, recall, threshold. Equal scores are ranked by sentence index.
/// </summary>
public sealed class ParaphraseMiningEvaluator : SentenceEvaluator
{
    private readonly HashSet<(int, int)> duplicates = [];

    public ParaphraseMiningEvaluator(
        IReadOnlyDictionary<string, string> sentences,
        IReadOnlyList<(string Id1, string Id2)> duplicatePairs,
        string name = "",
        bool addTransitiveClosure = false,
        int maxPairs = 500000,
        int topK = 100,
        EncodingSettings? encoding = null)
        : base(name)
    {
        if (topK < 1 || maxPairs < 1)
        {
            throw new ArgumentException($"ParaphraseMiningEvaluator '{name}': top_k and max_pairs must be positive.");
        }

        Ids = sentences.Keys.ToList();
        Sentences = Ids.Select(id => sentences[id]).ToList();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Ids.Count; i++) index[Ids[i]] = i;

        var neighbours = new Dictionary<int, HashSet<int>>();
        foreach (var (id1, id2) in duplicatePairs)
        {
            // Pairs naming unknown ids are ignored, as upstream does.
            if (!index.TryGetValue(id1, out int a) || !index.TryGetValue(id2, out int b) || a == b) continue;
            duplicates.Add((Math.Min(a, b), Math.Max(a, b)));
            (neighbours.TryGetValue(a, out var na) ? na : neighbours[a] = []).Add(b);
            (neighbours.TryGetValue(b, out var nb) ? nb : neighbours[b] = []).Add(a);
        }

        if (addTransitiveClosure) CloseTransitively(neighbours);
        AddTransitiveClosure = addTransitiveClosure;
        MaxPairs = maxPairs;
        TopK = topK;
        Encoding = encoding ?? new EncodingSettings { BatchSize = 16 };
    }

    public IReadOnlyList<string> Ids { get; }

    public IReadOnlyList<string> Sentences { get; }

    public bool AddTransitiveClosure { get; }

    public int MaxPairs { get; }

    public int TopK { get; }

    public EncodingSettings Encoding { get; }

    /// <summary>Number of distinct duplicate pairs among the sentences (after the closure, if asked for).</summary>
    public int TotalDuplicates => duplicates.Count;

    public override string PrimaryMetric => "average_precision";

    public override IReadOnlyList<string> MetricKeys =>
        new[] { "average_precision", "f1", "precision", "recall", "threshold" }.Select(Prefix).ToList();

    public override Dictionary<string, double> Evaluate(SentenceTransformer model)
    {
        using Tensor embeddings = Encoding.Encode(model, Sentences);
        return ComputeFromEmbeddings(embeddings);
    }

    /// <summary>The metrics for the [N, D] embeddings of <see cref="Sentences"/> (prefixed keys).</summary>
    public Dictionary<string, double> ComputeFromEmbeddings(Tensor embeddings)
    {
        List<(double Score, int I, int J)> pairs = MinePairs(embeddings);
        int extracted = 0, correct = 0;
        double averagePrecision = 0, bestF1 = 0, bestPrecision = 0, bestRecall = 0, threshold = 0;
        for (int k = 0; k < pairs.Count; k++)
        {
            extracted++;
            if (!duplicates.Contains((pairs[k].I, pairs[k].J))) continue;
            correct++;
            double precision = (double)correct / extracted;
            double recall = TotalDuplicates > 0 ? (double)correct / TotalDuplicates : 0.0;
            double f1 = 2 * precision * recall / (precision + recall);
            averagePrecision += precision;
            if (f1 > bestF1)
            {
                bestF1 = f1;
                bestPrecision = precision;
                bestRecall = recall;
                threshold = (pairs[k].Score + pairs[Math.Min(k + 1, pairs.Count - 1)].Score) / 2;
            }
        }

        return Prefixed(new Dictionary<string, double>
        {
            ["average_precision"] = TotalDuplicates > 0 ? averagePrecision / TotalDuplicates : 0,
            ["f1"] = bestF1,
            ["precision"] = bestPrecision,
            ["recall"] = bestRecall,
            ["threshold"] = threshold,
        });
    }

    /// <summary>
    /// Each sentence's top_k nearest other sentences as unordered pairs (i &lt; j), best first (ties by i, then j),
    /// at most max_pairs of them.
    /// </summary>
    private List<(double Score, int I, int J)> MinePairs(Tensor embeddings)
    {
        using var scope = NewDisposeScope();
        double[][] scores = EvaluationMath.Rows(SimilarityFunctions.CosineMatrix(embeddings, embeddings));
        int n = scores.Length;
        var best = new Dictionary<(int, int), double>();
        for (int i = 0; i < n; i++)
        {
            // top_k + 1 because a sentence is usually its own nearest neighbour.
            IEnumerable<int> nearest = Enumerable.Range(0, n).OrderByDescending(j => scores[i][j]).Take(TopK + 1);
            foreach (int j in nearest.Where(j => j != i))
            {
                var key = (Math.Min(i, j), Math.Max(i, j));
                if (!best.ContainsKey(key)) best[key] = scores[i][j];
            }
        }

        return best.Select(kv => (Score: kv.Value, I: kv.Key.Item1, J: kv.Key.Item2))
            .OrderByDescending(p => p.Score).ThenBy(p => p.I).ThenBy(p => p.J)
            .Take(MaxPairs).ToList();
    }

    private void CloseTransitively(Dictionary<int, HashSet<int>> neighbours)
    {
        var seen = new HashSet<int>();
        foreach (int start in neighbours.Keys)
        {
            if (!seen.Add(start)) continue;
            var component = new List<int> { start };
            var queue = new Queue<int>(neighbours[start]);
            while (queue.Count > 0)
            {
                int node = queue.Dequeue();
                if (!seen.Add(node)) continue;
                component.Add(node);
                foreach (int next in neighbours[node]) queue.Enqueue(next);
            }

            for (int x = 0; x < component.Count; x++)
            for (int y = x + 1; y < component.Count; y++)
            {
                duplicates.Add((Math.Min(component[x], component[y]), Math.Max(component[x], component[y])));
            }
        }
    }
}
