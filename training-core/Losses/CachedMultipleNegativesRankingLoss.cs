using StTrain.Core.Models;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// MultipleNegativesRankingLoss with GradCache (see <see cref="CachedEmbeddingLoss"/>): same value and gradients,
/// memory bounded by mini_batch_size instead of the batch size, at the cost of a second forward pass.
/// Defaults: scale 20, cosine, mini_batch_size 32. The loss itself is also evaluated in chunks of mini_batch_size
/// anchors, each back-propagated on its own, weighted by chunk_size / batch_size.
/// </summary>
public class CachedMultipleNegativesRankingLoss : CachedEmbeddingLoss
{
    private readonly InBatchRanking ranking;

    public CachedMultipleNegativesRankingLoss(
        SentenceTransformer? model,
        double scale = 20.0,
        string similarityFunction = SimilarityFunctions.Cosine,
        int miniBatchSize = 32,
        IReadOnlyList<string>? directions = null,
        string partitionMode = InBatchRanking.Joint,
        string? hardnessMode = null,
        double hardnessStrength = 0.0)
        : this(nameof(CachedMultipleNegativesRankingLoss), model, scale, similarityFunction, miniBatchSize,
            directions ?? [InBatchRanking.QueryToDoc], partitionMode, hardnessMode, hardnessStrength)
    {
    }

    protected CachedMultipleNegativesRankingLoss(
        string name,
        SentenceTransformer? model,
        double scale,
        string similarityFunction,
        int miniBatchSize,
        IReadOnlyList<string> directions,
        string partitionMode,
        string? hardnessMode,
        double hardnessStrength)
        : base(name, model, miniBatchSize)
    {
        ranking = new InBatchRanking(name, scale, similarityFunction, directions, partitionMode, hardnessMode,
            hardnessStrength);
    }

    public double Scale => ranking.Scale;

    public string SimilarityFunction => ranking.Similarity;

    public override IReadOnlyDictionary<string, object?> Config =>
        new Dictionary<string, object?>(ranking.Config) { ["mini_batch_size"] = MiniBatchSize };

    protected override void CheckColumns(int count) =>
        RequireColumns(count, 2, null, "anchor, positive, optional negatives");

    protected override Tensor LossFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels, bool withBackward)
    {
        Tensor queries = embeddings[0];
        var docs = embeddings.Skip(1).ToList();
        long batch = queries.shape[0];
        Tensor? total = null;
        for (long begin = 0; begin < batch; begin += MiniBatchSize)
        {
            long end = Math.Min(begin + MiniBatchSize, batch);
            Tensor chunk = ranking.ChunkLoss(queries, docs, begin, end) * ((double)(end - begin) / batch);
            if (withBackward)
            {
                chunk.backward();
                chunk = chunk.detach();
            }

            total = total is null ? chunk : total + chunk;
        }

        return total!;
    }
}
