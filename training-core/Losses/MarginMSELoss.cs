using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Margin-MSE distillation (Hofstätter et al. 2020) for (query, positive, negative_1..n) rows: the student margin
/// sim(q, p) - sim(q, n_k) should equal the teacher margin. Labels are the n teacher margins ([B] when n = 1, or
/// [B, n]) or the n + 1 raw teacher scores [B, n + 1] (positive first), from which the margins are taken.
/// loss = mean_{i,k} (student_margin_ik - teacher_margin_ik)^2. Default similarity: dot product.
/// </summary>
public sealed class MarginMSELoss : EmbeddingLoss
{
    public MarginMSELoss(SentenceTransformer? model, string similarityFunction = SimilarityFunctions.Dot)
        : base(nameof(MarginMSELoss), model)
    {
        SimilarityFunction = SimilarityFunctions.Canonical(similarityFunction);
    }

    public string SimilarityFunction { get; }

    public override IReadOnlyDictionary<string, object?> Config => new Dictionary<string, object?>
    {
        ["similarity_fct"] = SimilarityFunction,
    };

    public override Tensor ComputeFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels)
    {
        RequireColumns(embeddings.Count, 3, null, "query, positive, negative_1 .. negative_n");
        Tensor gold = RequireLabels(labels, "teacher margins sim(q,p) - sim(q,n) or teacher scores [pos, negs...]");
        using var scope = NewDisposeScope();
        long batch = embeddings[0].shape[0];
        int negatives = embeddings.Count - 2;
        Tensor margins = gold.detach().to_type(embeddings[0].dtype);
        if (margins.dim() == 2 && margins.shape[1] == negatives + 1)
        {
            margins = margins.narrow(1, 0, 1) - margins.narrow(1, 1, negatives);
        }

        if (margins.dim() == 1 && margins.shape[0] == batch) margins = margins.unsqueeze(1);
        if (margins.dim() != 2 || margins.shape[0] != batch || margins.shape[1] != negatives)
        {
            throw new ArgumentException(
                $"MarginMSELoss: labels have shape [{string.Join(", ", gold.shape)}] but {negatives} negative " +
                $"column(s) need [{batch}, {negatives}] teacher margins or [{batch}, {negatives + 1}] teacher scores " +
                "(positive first). Fix: store per row a list of margins sim(q,p)-sim(q,n_k), or the raw scores.");
        }

        Tensor positive = SimilarityFunctions.Pairwise(SimilarityFunction, embeddings[0], embeddings[1]);
        Tensor[] studentMargins = embeddings.Skip(2)
            .Select(n => positive - SimilarityFunctions.Pairwise(SimilarityFunction, embeddings[0], n)).ToArray();
        Tensor student = stack(studentMargins, 1);
        return nn.functional.mse_loss(student, margins).MoveToOuterDisposeScope();
    }
}
