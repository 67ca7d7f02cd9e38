using StTrain.Core.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Contrastive Tension with in-batch negatives: model1 (an independent copy made when the loss is built) and the
/// trained model embed the same single text column; S = sim(e1, e2) * exp(logit_scale), and
/// loss = (CE(S, i) + CE(S^T, i)) / 2 with target i on the diagonal. logit_scale starts at log(scale) and is trained
/// (it is a parameter of the loss), as in sentence-transformers. Defaults: scale 20, cosine.
/// </summary>
/// <remarks>
/// model1 is a submodule, so its weights are optimized and checkpointed too; only the trained model is saved.
/// Identical texts in a batch are false negatives, so the no_duplicates sampler is required.
/// </remarks>
public sealed class ContrastiveTensionLossInBatchNegatives : SentenceLoss
{
    private readonly SentenceTransformer? model1;
#pragma warning disable IDE1006 // The parameter name is the state-dict key sentence-transformers uses.
    private readonly Parameter logit_scale;
#pragma warning restore IDE1006

    public ContrastiveTensionLossInBatchNegatives(
        SentenceTransformer? model,
        double scale = 20.0,
        string similarityFunction = SimilarityFunctions.Cosine)
        : base(nameof(ContrastiveTensionLossInBatchNegatives), model)
    {
        if (!(scale > 0))
        {
            throw new ArgumentException($"ContrastiveTensionLossInBatchNegatives: scale must be positive (its log " +
                                        $"is the trained logit_scale); got {scale}. Fix: use e.g. 20.");
        }

        if (!SimilarityFunctions.IsKnown(similarityFunction))
        {
            throw new ArgumentException($"ContrastiveTensionLossInBatchNegatives: unknown similarity_fct " +
                                        $"'{similarityFunction}'. Fix: use one of " +
                                        $"{string.Join(", ", SimilarityFunctions.Names)}.");
        }

        SimilarityFunction = SimilarityFunctions.Canonical(similarityFunction);
        logit_scale = new Parameter(tensor(Math.Log(scale), dtype: ScalarType.Float32, device: model?.Device));
        register_parameter("logit_scale", logit_scale);
        if (model is not null)
        {
            model1 = ModelCopy.Of(model);
            register_module("model1", model1);
        }
    }

    public string SimilarityFunction { get; }

    /// <summary>exp(logit_scale): the current (trained) scale.</summary>
    public double Scale
    {
        get
        {
            using var noGrad = no_grad();
            return Math.Exp(logit_scale.to_type(ScalarType.Float64).cpu().item<double>());
        }
    }

    /// <summary>The independent copy that embeds the texts for the rows of the score matrix.</summary>
    public SentenceTransformer Model1 => model1 ?? throw new InvalidOperationException(
        "ContrastiveTensionLossInBatchNegatives was created without a model. Fix: create it through LossRegistry.");

    public override IReadOnlyDictionary<string, object?> Config => new Dictionary<string, object?>
    {
        ["scale"] = Scale,
        ["similarity_fct"] = SimilarityFunction,
    };

    public override Tensor Compute(IReadOnlyList<Features> inputs, Tensor? labels)
    {
        RequireColumns(inputs.Count, 1, 1, "one text column");
        Model1.train(Model.training);
        Tensor first = Model1.forward(inputs[0])[Features.SentenceEmbedding];
        Tensor second = Model.forward(inputs[0])[Features.SentenceEmbedding];
        return ComputeFromEmbeddings(first, second);
    }

    /// <summary>The loss from model1's and the trained model's embeddings of the same texts.</summary>
    public Tensor ComputeFromEmbeddings(Tensor first, Tensor second)
    {
        using var scope = NewDisposeScope();
        Tensor scores = SimilarityFunctions.Matrix(SimilarityFunction, first, second) *
                        logit_scale.exp();
        Tensor targets = arange(scores.shape[0], dtype: ScalarType.Int64, device: scores.device);
        Tensor loss = (nn.functional.cross_entropy(scores, targets) +
                       nn.functional.cross_entropy(scores.t(), targets)) / 2;
        return loss.MoveToOuterDisposeScope();
    }
}
