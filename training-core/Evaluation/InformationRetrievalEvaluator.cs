using StTrain.Core.Losses;
using StTrain.Core.Models;
using static TorchSharp.torch;

namespace StTrain.Core.Evaluation;

/// <summary>
/// Retrieval: every query that has relevant documents searches the whole corpus; the top hits, ordered by score
/// and then by corpus id, are scored against the relevant set. Per score function fn and cut-off k it reports
/// {fn}_accuracy@k (a relevant hit in the top k), {fn}_precision@k (relevant hits / k, also when the corpus is
/// smaller than k), {fn}_recall@k (relevant hits / relevant documents), {fn}_ndcg@k (binary gains),
/// {fn}_mrr@k and {fn}_map@k (sum of precision at each relevant hit / min(k, relevant documents)), each averaged
/// over the queries. Defaults as upstream: accuracy and precision/recall at 1, 3, 5, 10; ndcg and mrr at 10; map at
/// 100; the model's own score function. Primary: {fn}_ndcg@{max ndcg k}, e.g. cosine_ndcg@10.
/// </summary>
/// <remarks>
/// With several score functions and no main_score_function, upstream picks the function with the best nDCG at the
/// first evaluation; here the primary metric must be known before any evaluation, so it is the model's function
/// when listed, otherwise the first listed.
/// </remarks>
public sealed class InformationRetrievalEvaluator : SentenceEvaluator
{
    private readonly SimilarityNames names;
    private readonly IReadOnlyDictionary<string, HashSet<string>> relevant;

    public InformationRetrievalEvaluator(
        IReadOnlyDictionary<string, string> queries,
        IReadOnlyDictionary<string, string> corpus,
        IReadOnlyDictionary<string, IReadOnlyCollection<string>> relevantDocs,
        string name = "",
        IReadOnlyList<int>? mrrAtK = null,
        IReadOnlyList<int>? ndcgAtK = null,
        IReadOnlyList<int>? accuracyAtK = null,
        IReadOnlyList<int>? precisionRecallAtK = null,
        IReadOnlyList<int>? mapAtK = null,
        IReadOnlyList<string>? scoreFunctions = null,
        string? mainScoreFunction = null,
        int corpusChunkSize = 50000,
        EncodingSettings? encoding = null,
        string modelSimilarityHint = SimilarityFunctions.Cosine)
        : base(name)
    {
        relevant = relevantDocs.ToDictionary(kv => kv.Key, kv => kv.Value.ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);
        QueryIds = queries.Keys.Where(q => relevant.TryGetValue(q, out var set) && set.Count > 0).ToList();
        if (QueryIds.Count == 0)
        {
            throw new ArgumentException(
                $"InformationRetrievalEvaluator '{name}': none of the {queries.Count} queries has a relevant " +
                "document in relevant_docs. Fix: check that the qrels use the same query ids as the queries file.");
        }

        if (corpus.Count == 0)
        {
            throw new ArgumentException($"InformationRetrievalEvaluator '{name}': the corpus is empty.");
        }

        Queries = QueryIds.Select(q => queries[q]).ToList();
        CorpusIds = corpus.Keys.ToList();
        Corpus = CorpusIds.Select(c => corpus[c]).ToList();
        MrrAtK = CheckKs(name, "mrr_at_k", mrrAtK ?? [10]);
        NdcgAtK = CheckKs(name, "ndcg_at_k", ndcgAtK ?? [10]);
        AccuracyAtK = CheckKs(name, "accuracy_at_k", accuracyAtK ?? [1, 3, 5, 10]);
        PrecisionRecallAtK = CheckKs(name, "precision_recall_at_k", precisionRecallAtK ?? [1, 3, 5, 10]);
        MapAtK = CheckKs(name, "map_at_k", mapAtK ?? [100]);
        names = new SimilarityNames(scoreFunctions, modelSimilarityHint);
        MainScoreFunction = mainScoreFunction is null ? null : SimilarityFunctions.Canonical(mainScoreFunction);
        if (MainScoreFunction is not null && names.Explicit is not null && !names.Explicit.Contains(MainScoreFunction))
        {
            throw new ArgumentException($"InformationRetrievalEvaluator '{name}': main_score_function " +
                                        $"'{MainScoreFunction}' is not among score_functions. Fix: add it.");
        }

        if (corpusChunkSize < 1)
        {
            throw new ArgumentException($"InformationRetrievalEvaluator '{name}': corpus_chunk_size must be positive.");
        }

        CorpusChunkSize = corpusChunkSize;
        Encoding = encoding ?? new EncodingSettings();
    }

    /// <summary>The ids of the queries that are scored (those with at least one relevant document).</summary>
    public IReadOnlyList<string> QueryIds { get; }

    public IReadOnlyList<string> Queries { get; }

    public IReadOnlyList<string> CorpusIds { get; }

    public IReadOnlyList<string> Corpus { get; }

    public IReadOnlyList<int> MrrAtK { get; }

    public IReadOnlyList<int> NdcgAtK { get; }

    public IReadOnlyList<int> AccuracyAtK { get; }

    public IReadOnlyList<int> PrecisionRecallAtK { get; }

    public IReadOnlyList<int> MapAtK { get; }

    public string? MainScoreFunction { get; }

    public int CorpusChunkSize { get; }

    public EncodingSettings Encoding { get; }

    public override string PrimaryMetric => $"{PrimaryFunction(names.Announced)}_ndcg@{NdcgAtK.Max()}";

    public override IReadOnlyList<string> MetricKeys =>
        FunctionsWithMain(names.Announced).SelectMany(MetricNames).Select(Prefix).ToList();

    /// <summary>
    /// Retrieval data from (anchor, positive[, negative]) rows: each distinct anchor becomes a query ("q0", "q1",
    /// ...), each distinct positive or negative text a corpus document ("d0", ...), and an anchor's positives are its
    /// relevant documents.
    /// </summary>
    public static (IReadOnlyDictionary<string, string> Queries, IReadOnlyDictionary<string, string> Corpus,
        IReadOnlyDictionary<string, IReadOnlyCollection<string>> RelevantDocs) DataFromPairs(
            IReadOnlyList<string> anchors, IReadOnlyList<string> positives, IReadOnlyList<string>? negatives = null)
    {
        if (anchors.Count != positives.Count || (negatives is not null && negatives.Count != anchors.Count))
        {
            throw new ArgumentException("InformationRetrievalEvaluator: the anchor, positive and negative columns " +
                                        "must have the same length.");
        }

        var queryIds = new Dictionary<string, string>(StringComparer.Ordinal);
        var docIds = new Dictionary<string, string>(StringComparer.Ordinal);
        var queries = new Dictionary<string, string>(StringComparer.Ordinal);
        var corpus = new Dictionary<string, string>(StringComparer.Ordinal);
        var relevantDocs = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);

        string DocId(string text)
        {
            if (!docIds.TryGetValue(text, out string? id))
            {
                id = $"d{docIds.Count}";
                docIds[text] = id;
                corpus[id] = text;
            }

            return id;
        }

        for (int i = 0; i < anchors.Count; i++)
        {
            if (!queryIds.TryGetValue(anchors[i], out string? qid))
            {
                qid = $"q{queryIds.Count}";
                queryIds[anchors[i]] = qid;
                queries[qid] = anchors[i];
                relevantDocs[qid] = new HashSet<string>(StringComparer.Ordinal);
            }

            relevantDocs[qid].Add(DocId(positives[i]));
            if (negatives is not null) DocId(negatives[i]);
        }

        return (queries, corpus,
            relevantDocs.ToDictionary(kv => kv.Key, kv => (IReadOnlyCollection<string>)kv.Value,
                StringComparer.Ordinal));
    }

    public override Dictionary<string, double> Evaluate(SentenceTransformer model)
    {
        using var scope = NewDisposeScope();
        Tensor queryEmbeddings = Encoding.EncodeQueries(model, Queries);
        Tensor corpusEmbeddings = Encoding.EncodeDocuments(model, Corpus);
        return ComputeFromEmbeddings(queryEmbeddings, corpusEmbeddings, names.For(model.SimilarityFunctionName));
    }

    /// <summary>
    /// The metrics for precomputed query embeddings (in <see cref="QueryIds"/> order) and corpus embeddings (in
    /// <see cref="CorpusIds"/> order), prefixed.
    /// </summary>
    public Dictionary<string, double> ComputeFromEmbeddings(Tensor queryEmbeddings, Tensor corpusEmbeddings,
        IReadOnlyList<string>? scoreFunctions = null)
    {
        IReadOnlyList<string> functions = FunctionsWithMain(scoreFunctions ?? names.Announced);
        var metrics = new Dictionary<string, double>();
        foreach (string fn in functions)
        {
            List<(double Score, int Doc)>[] hits = TopHits(fn, queryEmbeddings, corpusEmbeddings);
            foreach (var (key, value) in Score(fn, hits)) metrics[key] = value;
        }

        return Prefixed(metrics);
    }

    private int MaxK => new[] { MrrAtK.Max(), NdcgAtK.Max(), AccuracyAtK.Max(), PrecisionRecallAtK.Max(), MapAtK.Max() }
        .Max();

    /// <summary>
    /// The best max_k documents per query, ordered by score (descending) then corpus id. Each corpus chunk keeps
    /// every document scoring at least its k-th best score, so ties at the cut are resolved by id, not by chance.
    /// </summary>
    private List<(double Score, int Doc)>[] TopHits(string fn, Tensor queryEmbeddings, Tensor corpusEmbeddings)
    {
        int queryCount = (int)queryEmbeddings.shape[0];
        long corpusCount = corpusEmbeddings.shape[0];
        int maxK = MaxK;
        var hits = Enumerable.Range(0, queryCount).Select(_ => new List<(double Score, int Doc)>()).ToArray();
        Comparison<(double Score, int Doc)> order = (x, y) =>
        {
            int byScore = y.Score.CompareTo(x.Score);
            return byScore != 0 ? byScore : string.CompareOrdinal(CorpusIds[x.Doc], CorpusIds[y.Doc]);
        };

        for (long start = 0; start < corpusCount; start += CorpusChunkSize)
        {
            using var scope = NewDisposeScope();
            long length = Math.Min(CorpusChunkSize, corpusCount - start);
            Tensor scores = SimilarityFunctions.Matrix(fn, queryEmbeddings, corpusEmbeddings.narrow(0, start, length))
                .to_type(ScalarType.Float32);
            long k = Math.Min(maxK, length);
            Tensor threshold = scores.topk((int)k, dim: 1).values.min(dim: 1, keepdim: true).values;
            Tensor keep = scores.ge(threshold);
            long[] positions = keep.nonzero().cpu().data<long>().ToArray();
            float[] kept = scores.masked_select(keep).cpu().data<float>().ToArray();
            for (int h = 0; h < kept.Length; h++)
            {
                hits[positions[2 * h]].Add((kept[h], (int)(start + positions[2 * h + 1])));
            }

            foreach (var list in hits)
            {
                list.Sort(order);
                if (list.Count > maxK) list.RemoveRange(maxK, list.Count - maxK);
            }
        }

        return hits;
    }

    private IEnumerable<KeyValuePair<string, double>> Score(string fn, List<(double Score, int Doc)>[] hits)
    {
        int n = hits.Length;
        var accuracy = AccuracyAtK.ToDictionary(k => k, _ => 0.0);
        var precision = PrecisionRecallAtK.ToDictionary(k => k, _ => 0.0);
        var recall = PrecisionRecallAtK.ToDictionary(k => k, _ => 0.0);
        var ndcg = NdcgAtK.ToDictionary(k => k, _ => 0.0);
        var mrr = MrrAtK.ToDictionary(k => k, _ => 0.0);
        var map = MapAtK.ToDictionary(k => k, _ => 0.0);

        for (int q = 0; q < n; q++)
        {
            HashSet<string> rel = relevant[QueryIds[q]];
            bool[] isRelevant = hits[q].Select(h => rel.Contains(CorpusIds[h.Doc])).ToArray();
            int Top(int k) => Math.Min(k, isRelevant.Length);

            foreach (int k in AccuracyAtK)
            {
                if (isRelevant.Take(Top(k)).Any(r => r)) accuracy[k] += 1;
            }

            foreach (int k in PrecisionRecallAtK)
            {
                int correct = isRelevant.Take(Top(k)).Count(r => r);
                precision[k] += (double)correct / k;
                recall[k] += (double)correct / rel.Count;
            }

            foreach (int k in MrrAtK)
            {
                int first = Array.IndexOf(isRelevant.Take(Top(k)).ToArray(), true);
                if (first >= 0) mrr[k] += 1.0 / (first + 1);
            }

            foreach (int k in NdcgAtK)
            {
                double dcg = 0, ideal = 0;
                for (int i = 0; i < Top(k); i++)
                {
                    if (isRelevant[i]) dcg += 1.0 / Math.Log2(i + 2);
                }

                for (int i = 0; i < Math.Min(k, rel.Count); i++) ideal += 1.0 / Math.Log2(i + 2);
                ndcg[k] += dcg / ideal;
            }

            foreach (int k in MapAtK)
            {
                int correct = 0;
                double sum = 0;
                for (int i = 0; i < Top(k); i++)
                {
                    if (!isRelevant[i]) continue;
                    correct++;
                    sum += (double)correct / (i + 1);
                }

                map[k] += sum / Math.Min(k, rel.Count);
            }
        }

        foreach (int k in AccuracyAtK) yield return new($"{fn}_accuracy@{k}", accuracy[k] / n);
        foreach (int k in PrecisionRecallAtK) yield return new($"{fn}_precision@{k}", precision[k] / n);
        foreach (int k in PrecisionRecallAtK) yield return new($"{fn}_recall@{k}", recall[k] / n);
        foreach (int k in NdcgAtK) yield return new($"{fn}_ndcg@{k}", ndcg[k] / n);
        foreach (int k in MrrAtK) yield return new($"{fn}_mrr@{k}", mrr[k] / n);
        foreach (int k in MapAtK) yield return new($"{fn}_map@{k}", map[k] / n);
    }

    private IEnumerable<string> MetricNames(string fn)
    {
        foreach (int k in AccuracyAtK) yield return $"{fn}_accuracy@{k}";
        foreach (int k in PrecisionRecallAtK) yield return $"{fn}_precision@{k}";
        foreach (int k in PrecisionRecallAtK) yield return $"{fn}_recall@{k}";
        foreach (int k in NdcgAtK) yield return $"{fn}_ndcg@{k}";
        foreach (int k in MrrAtK) yield return $"{fn}_mrr@{k}";
        foreach (int k in MapAtK) yield return $"{fn}_map@{k}";
    }

    private IReadOnlyList<string> FunctionsWithMain(IReadOnlyList<string> functions) =>
        MainScoreFunction is not null && !functions.Contains(MainScoreFunction)
            ? [.. functions, MainScoreFunction]
            : functions;

    private string PrimaryFunction(IReadOnlyList<string> functions)
    {
        if (MainScoreFunction is not null) return MainScoreFunction;
        if (functions.Count == 1) return functions[0];
        return functions.Contains(names.ModelHint) ? names.ModelHint : functions[0];
    }

    private static IReadOnlyList<int> CheckKs(string name, string parameter, IReadOnlyList<int> ks)
    {
        if (ks.Count == 0 || ks.Any(k => k < 1))
        {
            throw new ArgumentException($"InformationRetrievalEvaluator '{name}': {parameter} must list positive " +
                                        $"cut-offs; got [{string.Join(", ", ks)}].");
        }

        return ks.ToList();
    }
}
