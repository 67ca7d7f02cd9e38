using StTrain.Core.Models;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// In-batch negatives ranking loss (InfoNCE): for (anchor, positive[, negative_1..n]) rows, each anchor must score
/// its own positive above every other positive and every hard negative of the batch:
/// loss = mean_i CE(scale * sim(a_i, [p_1..p_B, n_1..n_B]), target i).
/// Defaults: scale 20, similarity cosine, directions [query_to_doc], partition_mode joint.
/// </summary>
public class MultipleNegativesRankingLoss : EmbeddingLoss
{
    private readonly InBatchRanking ranking;

    public MultipleNegativesRankingLoss(
        SentenceTransformer? model,
        double scale = 20.0,
        string similarityFunction = SimilarityFunctions.Cosine,
        IReadOnlyList<string>? directions = null,
        string partitionMode = InBatchRanking.Joint,
        string? hardnessMode = null,
        double hardnessStrength = 0.0)
        : this(nameof(MultipleNegativesRankingLoss), model, scale, similarityFunction, directions, partitionMode,
            hardnessMode, hardnessStrength)
    {
    }

    protected MultipleNegativesRankingLoss(
        string name,
        SentenceTransformer? model,
        double scale,
        string similarityFunction,
        IReadOnlyList<string>? directions,
        string partitionMode,
        string? hardnessMode,
        double hardnessStrength)
        : base(name, model)
    {
        ranking = new InBatchRanking(name, scale, similarityFunction, directions ?? [InBatchRanking.QueryToDoc],
            partitionMode, hardnessMode, hardnessStrength);
    }

    public double Scale => ranking.Scale;

    public string SimilarityFunction => ranking.Similarity;

    public IReadOnlyList<string> Directions => ranking.Directions;

    public string PartitionMode => ranking.PartitionMode;

    public override IReadOnlyDictionary<string, object?> Config => ranking.Config;

    public override Tensor ComputeFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels)
    {
        RequireColumns(embeddings.Count, 2, null, "anchor, positive, optional negatives");
        long batch = embeddings[0].shape[0];
        return ranking.ChunkLoss(embeddings[0], embeddings.Skip(1).ToList(), 0, batch);
    }
}
