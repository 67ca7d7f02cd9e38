using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// The in-batch-negatives ranking objective shared by MultipleNegativesRankingLoss, its symmetric variant and the
/// cached (GradCache) variants. For anchor i with positive p_i the loss is
/// -log( exp(s * sim(q_i, p_i)) / Z_i ), where Z_i sums exp(s * score) over the candidates the selected directions
/// contribute: query_to_doc (every positive and hard negative in the batch), query_to_query (other anchors),
/// doc_to_query (p_i against every anchor) and doc_to_doc (p_i against documents of other anchors).
/// </summary>
internal sealed class InBatchRanking
{
    public const string QueryToDoc = "query_to_doc";
    public const string QueryToQuery = "query_to_query";
    public const string DocToQuery = "doc_to_query";
    public const string DocToDoc = "doc_to_doc";
    public const string Joint = "joint";
    public const string PerDirection = "per_direction";

    public static readonly IReadOnlyList<string> AllDirections = [QueryToDoc, QueryToQuery, DocToQuery, DocToDoc];
    public static readonly IReadOnlyList<string> PartitionModes = [Joint, PerDirection];
    public static readonly IReadOnlyList<string> HardnessModes =
        ["in_batch_negatives", "hard_negatives", "all_negatives"];

    public InBatchRanking(
        string owner,
        double scale,
        string similarity,
        IReadOnlyList<string> directions,
        string partitionMode,
        string? hardnessMode,
        double hardnessStrength)
    {
        if (!(scale > 0))
        {
            throw new ArgumentException($"{owner}: parameter 'scale' must be positive; got {scale}. " +
                                        "Fix: use a value such as 20 (= 1 / temperature 0.05).");
        }

        if (directions.Count == 0 || !directions.Contains(QueryToDoc))
        {
            throw new ArgumentException($"{owner}: parameter 'directions' must include '{QueryToDoc}' (it holds " +
                                        $"the positive pair); got [{string.Join(", ", directions)}].");
        }

        foreach (string d in directions)
        {
            if (!AllDirections.Contains(d))
            {
                throw new ArgumentException($"{owner}: unknown direction '{d}' in 'directions'. " +
                                            $"Fix: use only {string.Join(", ", AllDirections)}.");
            }
        }

        if (partitionMode == PerDirection && (directions.Contains(QueryToQuery) || directions.Contains(DocToDoc)))
        {
            // Those directions never contain the positive pair, so a softmax over them alone is not a ranking of
            // the positive and the averaged loss can go negative.
            throw new ArgumentException($"{owner}: partition_mode 'per_direction' cannot be combined with " +
                                        $"'{QueryToQuery}' or '{DocToDoc}'. Fix: use partition_mode 'joint'.");
        }

        if (hardnessMode is not null && !HardnessModes.Contains(hardnessMode))
        {
            throw new ArgumentException($"{owner}: unknown hardness_mode '{hardnessMode}'. " +
                                        $"Fix: use one of {string.Join(", ", HardnessModes)} or leave it unset.");
        }

        if (hardnessStrength < 0)
        {
            throw new ArgumentException($"{owner}: hardness_strength must be >= 0; got {hardnessStrength}.");
        }

        Scale = scale;
        Similarity = SimilarityFunctions.Canonical(similarity);
        Directions = directions.Distinct().ToList();
        PartitionMode = partitionMode;
        HardnessMode = hardnessMode;
        HardnessStrength = hardnessStrength;
    }

    public double Scale { get; }

    public string Similarity { get; }

    public IReadOnlyList<string> Directions { get; }

    public string PartitionMode { get; }

    public string? HardnessMode { get; }

    public double HardnessStrength { get; }

    public IReadOnlyDictionary<string, object?> Config => new Dictionary<string, object?>
    {
        ["scale"] = Scale,
        ["similarity_fct"] = Similarity,
        ["directions"] = Directions.ToArray(),
        ["partition_mode"] = PartitionMode,
        ["hardness_mode"] = HardnessMode,
        ["hardness_strength"] = HardnessStrength,
    };

    /// <summary>
    /// Mean loss of anchors [begin, end) against the whole batch. <paramref name="docs"/> are the positives
    /// followed by each hard-negative column, all [B, D] like <paramref name="queries"/>.
    /// </summary>
    public Tensor ChunkLoss(Tensor queries, IReadOnlyList<Tensor> docs, long begin, long end)
    {
        using var scope = NewDisposeScope();
        long batch = queries.shape[0];
        long rows = end - begin;
        int numDocColumns = docs.Count;
        Tensor docsAll = docs.Count == 1 ? docs[0] : cat(docs.ToArray(), 0);
        Tensor localQueries = queries.narrow(0, begin, rows);
        Tensor localDocs = docs[0].narrow(0, begin, rows);

        // own[r, j] is true where column j of a [rows, B] block belongs to anchor begin + r.
        Tensor ownIndex = arange(begin, end, dtype: ScalarType.Int64, device: queries.device).unsqueeze(1);
        Tensor own = arange(batch, dtype: ScalarType.Int64, device: queries.device).unsqueeze(0).eq(ownIndex);
        Tensor ownAllDocs = own.repeat(1, numDocColumns);

        var blocks = new List<Tensor>();
        Tensor queryToDoc = SimilarityFunctions.Matrix(Similarity, localQueries, docsAll);
        Tensor? penalty = Penalty(queryToDoc, ownAllDocs, batch);
        Tensor scaledQueryToDoc = queryToDoc * Scale;
        if (penalty is not null) scaledQueryToDoc = scaledQueryToDoc + penalty;
        blocks.Add(scaledQueryToDoc);

        if (Directions.Contains(QueryToQuery))
        {
            Tensor qq = SimilarityFunctions.Matrix(Similarity, localQueries, queries)
                .masked_fill(own, double.NegativeInfinity);
            blocks.Add(qq * Scale);
        }

        if (Directions.Contains(DocToQuery))
        {
            blocks.Add(SimilarityFunctions.Matrix(Similarity, queries, localDocs).t() * Scale);
        }

        if (Directions.Contains(DocToDoc))
        {
            Tensor dd = SimilarityFunctions.Matrix(Similarity, docsAll, localDocs).t()
                .masked_fill(ownAllDocs, double.NegativeInfinity);
            blocks.Add(dd * Scale);
        }

        Tensor positives = scaledQueryToDoc.gather(1, ownIndex).squeeze(1);
        Tensor logZ;
        if (PartitionMode == Joint)
        {
            logZ = logsumexp(blocks.Count == 1 ? blocks[0] : cat(blocks.ToArray(), 1), 1);
        }
        else
        {
            logZ = blocks.Select(b => logsumexp(b, 1)).Aggregate((x, y) => x + y) / blocks.Count;
        }

        return (logZ - positives).mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Hardness weighting (Lan et al. 2025): adds strength * stop_grad(sim) to the selected negative logits, so
    /// harder negatives weigh more in the softmax denominator. Returns null when disabled.
    /// </summary>
    private Tensor? Penalty(Tensor queryToDoc, Tensor ownAllDocs, long batch)
    {
        if (HardnessMode is null || HardnessStrength <= 0) return null;
        Tensor penalty = queryToDoc.detach() * HardnessStrength;
        Tensor exclude;
        Tensor isPositiveBlock = zeros_like(ownAllDocs);
        isPositiveBlock.narrow(1, 0, batch).fill_(true);
        switch (HardnessMode)
        {
            case "hard_negatives":
                // Only the anchor's own hard negatives (own columns outside the positives block).
                exclude = ownAllDocs.logical_not().logical_or(isPositiveBlock);
                break;
            case "in_batch_negatives":
                // Everything that does not belong to the anchor.
                exclude = ownAllDocs;
                break;
            default:
                // all_negatives: everything except the anchor's own positive.
                exclude = ownAllDocs.logical_and(isPositiveBlock);
                break;
        }

        return penalty.masked_fill(exclude, 0.0);
    }
}
