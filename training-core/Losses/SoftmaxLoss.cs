using StTrain.Core.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// SBERT's classification objective (Reimers &amp; Gurevych 2019) for (text_a, text_b) pairs with a class id:
/// a linear classifier over [u; v; |u - v|; u * v] (parts chosen by the concatenation_* flags), trained with
/// cross-entropy: loss = CE(W [u; v; |u-v|] + b, label). Defaults: rep and difference on, multiplication off.
/// The classifier belongs to the loss (see <see cref="SentenceLoss.ExtraParameters"/>) and is not saved with the
/// model.
/// </summary>
public sealed class SoftmaxLoss : EmbeddingLoss
{
    public SoftmaxLoss(
        SentenceTransformer? model,
        int embeddingDimension,
        int numLabels,
        bool concatenationSentRep = true,
        bool concatenationSentDifference = true,
        bool concatenationSentMultiplication = false)
        : base(nameof(SoftmaxLoss), model)
    {
        if (numLabels < 2)
        {
            throw new ArgumentException($"SoftmaxLoss: num_labels must be at least 2; got {numLabels}. " +
                                        "Fix: set num_labels to the number of classes in the label column.");
        }

        if (embeddingDimension < 1)
        {
            throw new ArgumentException(
                $"SoftmaxLoss: embedding_dimension must be positive; got {embeddingDimension}.");
        }

        int vectors = (concatenationSentRep ? 2 : 0) + (concatenationSentDifference ? 1 : 0) +
                      (concatenationSentMultiplication ? 1 : 0);
        if (vectors == 0)
        {
            throw new ArgumentException("SoftmaxLoss: at least one of concatenation_sent_rep, " +
                                        "concatenation_sent_difference and concatenation_sent_multiplication " +
                                        "must be true.");
        }

        EmbeddingDimension = embeddingDimension;
        NumLabels = numLabels;
        ConcatenationSentRep = concatenationSentRep;
        ConcatenationSentDifference = concatenationSentDifference;
        ConcatenationSentMultiplication = concatenationSentMultiplication;
        Classifier = nn.Linear(vectors * embeddingDimension, numLabels);
        register_module("classifier", Classifier);
        if (model is not null) Classifier.to(model.Device);
    }

    public int EmbeddingDimension { get; }

    public int NumLabels { get; }

    public bool ConcatenationSentRep { get; }

    public bool ConcatenationSentDifference { get; }

    public bool ConcatenationSentMultiplication { get; }

    /// <summary>The linear layer from the concatenated features to the class logits.</summary>
    public Linear Classifier { get; }

    public override IReadOnlyDictionary<string, object?> Config => new Dictionary<string, object?>
    {
        ["num_labels"] = NumLabels,
        ["concatenation_sent_rep"] = ConcatenationSentRep,
        ["concatenation_sent_difference"] = ConcatenationSentDifference,
        ["concatenation_sent_multiplication"] = ConcatenationSentMultiplication,
    };

    /// <summary>The class logits [B, num_labels] for pairs of embeddings.</summary>
    public Tensor Logits(Tensor u, Tensor v)
    {
        using var scope = NewDisposeScope();
        if (u.shape[1] != EmbeddingDimension)
        {
            throw new ArgumentException(
                $"SoftmaxLoss: embeddings have dimension {u.shape[1]} but the classifier was built for " +
                $"{EmbeddingDimension}. Fix: set embedding_dimension to {u.shape[1]} (or leave it unset).");
        }

        var parts = new List<Tensor>();
        if (ConcatenationSentRep)
        {
            parts.Add(u);
            parts.Add(v);
        }

        if (ConcatenationSentDifference) parts.Add((u - v).abs());
        if (ConcatenationSentMultiplication) parts.Add(u * v);
        return Classifier.forward(cat(parts.ToArray(), 1)).MoveToOuterDisposeScope();
    }

    public override Tensor ComputeFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels)
    {
        RequireColumns(embeddings.Count, 2, 2, "text_a, text_b");
        Tensor gold = RequireLabels(labels, $"an integer class id in 0..{NumLabels - 1}");
        using var scope = NewDisposeScope();
        Tensor classes = gold.view(-1).to_type(ScalarType.Int64);
        if (classes.numel() > 0)
        {
            long low = classes.min().item<long>(), high = classes.max().item<long>();
            if (low < 0 || high >= NumLabels)
            {
                throw new ArgumentException(
                    $"SoftmaxLoss: label {(low < 0 ? low : high)} is outside 0..{NumLabels - 1}. Fix: map the " +
                    $"classes to ids 0..{NumLabels - 1} or raise num_labels.");
            }
        }

        Tensor logits = Logits(embeddings[0], embeddings[1]);
        return nn.functional.cross_entropy(logits, classes.to(logits.device)).MoveToOuterDisposeScope();
    }
}
