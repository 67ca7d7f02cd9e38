using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// CoSENT: for (text_a, text_b) pairs with float scores, every pair (i, j) whose gold score has label_i &lt; label_j
/// should also have s_i &lt; s_j, where s = scale * sim(a, b):
/// loss = log(1 + sum_{label_i &lt; label_j} exp(s_i - s_j)). Defaults: scale 20, pairwise cosine.
/// </summary>
public class CoSENTLoss : EmbeddingLoss
{
    public CoSENTLoss(SentenceTransformer? model, double scale = 20.0)
        : this(nameof(CoSENTLoss), model, scale)
    {
    }

    protected CoSENTLoss(string name, SentenceTransformer? model, double scale) : base(name, model)
    {
        Scale = scale;
    }

    public double Scale { get; }

    public override IReadOnlyDictionary<string, object?> Config => new Dictionary<string, object?>
    {
        ["scale"] = Scale,
        ["similarity_fct"] = SimilarityName,
    };

    /// <summary>The name of the pairwise score this loss ranks ("pairwise_cos_sim" or "pairwise_angle_sim").</summary>
    protected virtual string SimilarityName => "pairwise_cos_sim";

    /// <summary>The pairwise score this loss ranks.</summary>
    protected virtual Tensor PairScores(Tensor a, Tensor b) => SimilarityFunctions.CosinePairwise(a, b);

    public override Tensor ComputeFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels)
    {
        RequireColumns(embeddings.Count, 2, 2, "text_a, text_b");
        return RankPairs(embeddings[0], embeddings[1], RequireLabels(labels, "a float similarity score per pair"));
    }

    /// <summary>The CoSENT ranking term over the pairs (a_i, b_i) with gold scores <paramref name="labels"/>.</summary>
    protected Tensor RankPairs(Tensor a, Tensor b, Tensor labels)
    {
        using var scope = NewDisposeScope();
        Tensor scores = PairScores(a, b) * Scale;
        Tensor gold = labels.to_type(scores.dtype).view(-1);
        Tensor differences = scores.unsqueeze(1) - scores.unsqueeze(0);
        // Keep (i, j) only where gold_i < gold_j; the rest get -1e12 so exp() is 0.
        Tensor keep = gold.unsqueeze(1).lt(gold.unsqueeze(0)).to_type(scores.dtype);
        differences = differences - (1 - keep) * 1e12;
        Tensor withZero = cat([zeros(1, dtype: scores.dtype, device: scores.device), differences.view(-1)], 0);
        return logsumexp(withZero, 0).MoveToOuterDisposeScope();
    }
}
