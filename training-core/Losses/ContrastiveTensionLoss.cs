using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Contrastive Tension (Carlsson et al. 2021). Two independent copies of the encoder: model1, a copy made when the
/// loss is built, embeds the first text of each pair; the model being trained (model2, the one that is saved)
/// embeds the second. loss = sum_i BCEWithLogits(e1_i . e2_i, y_i), with y_i = 1 for identical texts and 0 for
/// different ones (a sum over the batch, not a mean, as in sentence-transformers).
/// </summary>
/// <remarks>
/// Data: (text1, text2) rows, with an optional 0/1 label column. Without labels a row is positive exactly when both
/// columns tokenize to the same ids. <see cref="ContrastiveTensionPairs.Build"/> turns a list of sentences into such
/// rows the way sentence-transformers' ContrastiveTensionDataLoader does (one identical pair, then pos_neg_ratio - 1
/// pairs of different sentences, repeated). model1 is a submodule, so the trainer optimizes and checkpoints its
/// weights too, as sentence-transformers does (its optimizer takes every parameter of the loss module); it is not
/// saved with the final model. model1 follows the trained model's train/eval mode (dropout) at every call.
/// </remarks>
public sealed class ContrastiveTensionLoss : SentenceLoss
{
    private readonly SentenceTransformer? model1;

    public ContrastiveTensionLoss(SentenceTransformer? model) : base(nameof(ContrastiveTensionLoss), model)
    {
        if (model is null) return;
        model1 = ModelCopy.Of(model);
        register_module("model1", model1);
    }

    /// <summary>The independent copy that embeds the first column.</summary>
    public SentenceTransformer Model1 => model1 ?? throw new InvalidOperationException(
        "ContrastiveTensionLoss was created without a model. Fix: create it through LossRegistry with the model.");

    public override Tensor Compute(IReadOnlyList<Features> inputs, Tensor? labels)
    {
        RequireColumns(inputs.Count, 2, 2, "text1, text2");
        Model1.train(Model.training);
        Tensor first = Model1.forward(inputs[0])[Features.SentenceEmbedding];
        Tensor second = Model.forward(inputs[1])[Features.SentenceEmbedding];
        Tensor targets = labels ?? IdenticalRows(inputs[0], inputs[1], first.device);
        return ComputeFromEmbeddings(first, second, targets);
    }

    /// <summary>The loss from model1's embeddings of column 1, the model's of column 2 and 0/1 labels.</summary>
    public Tensor ComputeFromEmbeddings(Tensor first, Tensor second, Tensor labels)
    {
        using var scope = NewDisposeScope();
        Tensor scores = (first * second).sum(-1);
        Tensor targets = labels.to(scores.dtype).to(scores.device).view(-1);
        if (targets.shape[0] != scores.shape[0])
        {
            throw new ArgumentException($"ContrastiveTensionLoss: {targets.shape[0]} labels for {scores.shape[0]} " +
                                        "rows. Fix: give one 0/1 label per (text1, text2) row.");
        }

        return nn.functional.binary_cross_entropy_with_logits(scores, targets, reduction: nn.Reduction.Sum)
            .MoveToOuterDisposeScope();
    }

    /// <summary>1 where both columns hold the same token ids (padding ignored), 0 elsewhere.</summary>
    private static Tensor IdenticalRows(Features a, Features b, Device device)
    {
        long[][] left = Rows(a), right = Rows(b);
        float[] same = left.Select((row, i) => row.SequenceEqual(right[i]) ? 1f : 0f).ToArray();
        return tensor(same, device: device);
    }

    private static long[][] Rows(Features column)
    {
        using Tensor ids = column[Features.InputIds].cpu().to_type(ScalarType.Int64);
        using Tensor mask = column[Features.AttentionMask].cpu().to_type(ScalarType.Int64);
        long rows = ids.shape[0], width = ids.shape[1];
        long[] flatIds = ids.data<long>().ToArray(), flatMask = mask.data<long>().ToArray();
        var result = new long[rows][];
        for (long r = 0; r < rows; r++)
        {
            result[r] = Enumerable.Range(0, (int)width).Where(c => flatMask[r * width + c] != 0)
                .Select(c => flatIds[r * width + c]).ToArray();
        }

        return result;
    }
}
