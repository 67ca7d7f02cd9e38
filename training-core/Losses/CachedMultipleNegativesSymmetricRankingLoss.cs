using StTrain.Core.Models;

namespace StTrain.Core.Losses;

/// <summary>
/// MultipleNegativesSymmetricRankingLoss with GradCache: directions [query_to_doc, doc_to_query] with one softmax
/// per direction, averaged. Defaults: scale 20, cosine, mini_batch_size 32.
/// </summary>
public sealed class CachedMultipleNegativesSymmetricRankingLoss : CachedMultipleNegativesRankingLoss
{
    public CachedMultipleNegativesSymmetricRankingLoss(
        SentenceTransformer? model,
        double scale = 20.0,
        string similarityFunction = SimilarityFunctions.Cosine,
        int miniBatchSize = 32)
        : base(nameof(CachedMultipleNegativesSymmetricRankingLoss), model, scale, similarityFunction, miniBatchSize,
            [InBatchRanking.QueryToDoc, InBatchRanking.DocToQuery], InBatchRanking.PerDirection, null, 0.0)
    {
    }
}
