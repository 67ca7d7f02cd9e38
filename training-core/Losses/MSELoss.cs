using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Embedding distillation: the student embedding of every input column should equal the teacher embedding in the
/// label. Labels are [B, D] (one teacher vector shared by all columns, e.g. a sentence and its translation) or
/// [B, C, D] (one per column). loss = mean over columns c of mean_{i,d} (student_c[i,d] - teacher_c[i,d])^2.
/// </summary>
public sealed class MSELoss : EmbeddingLoss
{
    public MSELoss(SentenceTransformer? model) : base(nameof(MSELoss), model)
    {
    }

    public override Tensor ComputeFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels)
    {
        RequireColumns(embeddings.Count, 1, null, "one or more texts");
        Tensor teacher = RequireLabels(labels, "the teacher's embedding vector of the row");
        using var scope = NewDisposeScope();
        long studentDim = embeddings[0].shape[^1];
        if (teacher.dim() is not (2 or 3) || teacher.shape[^1] != studentDim ||
            (teacher.dim() == 3 && teacher.shape[1] != embeddings.Count))
        {
            throw new ArgumentException(
                $"MSELoss: labels have shape [{string.Join(", ", teacher.shape)}] but the student embeds " +
                $"{embeddings.Count} column(s) of dimension {studentDim}. Fix: give each row a teacher vector of " +
                $"length {studentDim} (shape [batch, {studentDim}]) or one per column " +
                $"(shape [batch, {embeddings.Count}, {studentDim}]).");
        }

        teacher = teacher.detach().to_type(embeddings[0].dtype);
        var perColumn = new List<Tensor>();
        for (int c = 0; c < embeddings.Count; c++)
        {
            Tensor target = teacher.dim() == 2 ? teacher : teacher.select(1, c);
            perColumn.Add(nn.functional.mse_loss(embeddings[c], target));
        }

        return stack(perColumn.ToArray()).mean().MoveToOuterDisposeScope();
    }
}
