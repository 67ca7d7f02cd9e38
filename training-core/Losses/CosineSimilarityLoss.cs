using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Regression of cosine similarity onto a gold score: loss = mean_i (cos(a_i, b_i) - label_i)^2.
/// The gold scores should lie in the range the cosine can reach (typically 0..1).
/// </summary>
public sealed class CosineSimilarityLoss : EmbeddingLoss
{
    public CosineSimilarityLoss(SentenceTransformer? model) : base(nameof(CosineSimilarityLoss), model)
    {
    }

    public override IReadOnlyDictionary<string, object?> Config => new Dictionary<string, object?>
    {
        ["loss_fct"] = "torch.nn.modules.loss.MSELoss",
        ["cos_score_transformation"] = "torch.nn.modules.linear.Identity",
    };

    public override Tensor ComputeFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels)
    {
        RequireColumns(embeddings.Count, 2, 2, "text_a, text_b");
        Tensor gold = RequireLabels(labels, "a float similarity score per pair");
        using var scope = NewDisposeScope();
        Tensor cosine = nn.functional.cosine_similarity(embeddings[0], embeddings[1], dim: 1);
        return nn.functional.mse_loss(cosine, gold.to_type(cosine.dtype).view(-1)).MoveToOuterDisposeScope();
    }
}
