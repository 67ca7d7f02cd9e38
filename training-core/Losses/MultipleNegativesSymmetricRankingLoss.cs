using StTrain.Core.Models;

namespace StTrain.Core.Losses;

/// <summary>
/// Symmetric in-batch negatives loss: the mean of the anchor-to-candidates cross-entropy and the
/// positive-to-anchors cross-entropy, i.e. MultipleNegativesRankingLoss with directions
/// [query_to_doc, doc_to_query] and partition_mode per_direction. Defaults: scale 20, cosine.
/// </summary>
public sealed class MultipleNegativesSymmetricRankingLoss : MultipleNegativesRankingLoss
{
    public MultipleNegativesSymmetricRankingLoss(
        SentenceTransformer? model,
        double scale = 20.0,
        string similarityFunction = SimilarityFunctions.Cosine)
        : base(nameof(MultipleNegativesSymmetricRankingLoss), model, scale, similarityFunction,
            [InBatchRanking.QueryToDoc, InBatchRanking.DocToQuery], InBatchRanking.PerDirection, null, 0.0)
    {
    }
}
