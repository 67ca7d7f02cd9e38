using StTrain.Core.Losses;
using StTrain.Core.Models;
using static TorchSharp.torch;

namespace StTrain.Core.Evaluation;

/// <summary>
/// Reranking: for each query, its positive and negative documents are ranked by similarity to the query.
/// Reports map (mean average precision over all candidates), mrr@{at_k} (reciprocal rank of the first positive within
/// the top at_k, 0 if none) and ndcg@{at_k} (binary gains, tied scores averaged as scikit-learn does).
/// Primary: ndcg@{at_k}. Samples without a positive or without a negative are skipped, as upstream does.
/// Ties in the MRR ranking are broken by document order (positives first).
/// </summary>
public sealed class RerankingEvaluator : SentenceEvaluator
{
    public RerankingEvaluator(
        IReadOnlyList<RerankingSample> samples,
        int atK = 10,
        string name = "",
        string similarityFunction = SimilarityFunctions.Cosine,
        EncodingSettings? encoding = null)
        : base(name)
    {
        if (atK < 1)
        {
            throw new ArgumentException($"RerankingEvaluator '{name}': at_k must be at least 1; got {atK}.");
        }

        Samples = samples.Where(s => s.Positive.Count > 0 && s.Negative.Count > 0).ToList();
        if (Samples.Count == 0)
        {
            throw new ArgumentException(
                $"RerankingEvaluator '{name}': none of the {samples.Count} samples has both a positive and a " +
                "negative document. Fix: give every query at least one of each.");
        }

        AtK = atK;
        SimilarityFunction = SimilarityFunctions.Canonical(similarityFunction);
        Encoding = encoding ?? new EncodingSettings { BatchSize = 64 };
    }

    /// <summary>The samples that are scored (those with at least one positive and one negative).</summary>
    public IReadOnlyList<RerankingSample> Samples { get; }

    public int AtK { get; }

    public string SimilarityFunction { get; }

    public EncodingSettings Encoding { get; }

    public override string PrimaryMetric => $"ndcg@{AtK}";

    public override IReadOnlyList<string> MetricKeys => new[] { "map", $"mrr@{AtK}", $"ndcg@{AtK}" }
        .Select(Prefix).ToList();

    public override Dictionary<string, double> Evaluate(SentenceTransformer model)
    {
        using var scope = NewDisposeScope();
        Tensor queries = Encoding.EncodeQueries(model, Samples.Select(s => s.Query).ToList());
        Tensor documents = Encoding.EncodeDocuments(model,
            Samples.SelectMany(s => s.Positive.Concat(s.Negative)).ToList());
        return ComputeFromEmbeddings(queries, documents);
    }

    /// <summary>
    /// The metrics from one query embedding per sample and the document embeddings of all samples, concatenated in
    /// sample order, each sample's positives before its negatives (prefixed keys).
    /// </summary>
    public Dictionary<string, double> ComputeFromEmbeddings(Tensor queries, Tensor documents)
    {
        var maps = new List<double>();
        var mrrs = new List<double>();
        var ndcgs = new List<double>();
        long offset = 0;
        for (int s = 0; s < Samples.Count; s++)
        {
            using var scope = NewDisposeScope();
            RerankingSample sample = Samples[s];
            int count = sample.Positive.Count + sample.Negative.Count;
            Tensor docs = documents.narrow(0, offset, count);
            offset += count;
            double[] scores = EvaluationMath.Values(
                SimilarityFunctions.Matrix(SimilarityFunction, queries.narrow(0, s, 1), docs).squeeze(0));
            bool[] relevant = Enumerable.Range(0, count).Select(i => i < sample.Positive.Count).ToArray();

            int[] ranking = Enumerable.Range(0, count).OrderByDescending(i => scores[i]).ToArray();
            double mrr = 0;
            for (int rank = 0; rank < Math.Min(AtK, count); rank++)
            {
                if (relevant[ranking[rank]])
                {
                    mrr = 1.0 / (rank + 1);
                    break;
                }
            }

            mrrs.Add(mrr);
            ndcgs.Add(EvaluationMath.Ndcg(relevant.Select(r => r ? 1.0 : 0.0).ToArray(), scores, AtK));
            maps.Add(EvaluationMath.AveragePrecision(relevant, scores));
        }

        return Prefixed(new Dictionary<string, double>
        {
            ["map"] = maps.Average(),
            [$"mrr@{AtK}"] = mrrs.Average(),
            [$"ndcg@{AtK}"] = ndcgs.Average(),
        });
    }
}
