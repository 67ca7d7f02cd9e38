using System.Runtime.CompilerServices;
using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// A training objective for a <see cref="SentenceTransformer"/>. The trainer tokenizes each input column of a batch
/// (in column order) and hands the list to <see cref="Compute"/>; the loss runs the model itself so that variants
/// such as the cached (GradCache) losses can embed in mini-batches.
/// </summary>
/// <remarks>
/// The model is deliberately not registered as a submodule: <c>parameters()</c> of a loss are only the weights the
/// loss owns (e.g. SoftmaxLoss's classifier, see <see cref="ExtraParameters"/>), so the trainer can hand
/// model and loss weights to the optimizer without counting the model twice.
/// </remarks>
public abstract class SentenceLoss : nn.Module
{
    // Boxed: when a wrapper registers this loss as its submodule, TorchSharp registers the Module-typed fields of
    // this loss by reflection, which would make the model a child of the loss (and dispose it with the loss).
    private readonly StrongBox<SentenceTransformer?> model;

    /// <param name="name">The loss's class name, as sentence-transformers spells it.</param>
    /// <param name="model">
    /// The model being trained. Null is allowed for embedding-level use (unit tests, formula checks through
    /// <see cref="EmbeddingLoss.ComputeFromEmbeddings"/>); <see cref="Compute"/> then fails with a clear error.
    /// </param>
    protected SentenceLoss(string name, SentenceTransformer? model) : base(name)
    {
        this.model = new StrongBox<SentenceTransformer?>(model);
    }

    /// <summary>The model being trained.</summary>
    public SentenceTransformer Model => model.Value ?? throw new InvalidOperationException(
        $"{GetName()} was created without a model, so it can only score precomputed embeddings. " +
        "Fix: create it through LossRegistry with the model being trained.");

    /// <summary>True when the loss was created with a model.</summary>
    public bool HasModel => model.Value is not null;

    /// <summary>
    /// The loss of one batch. <paramref name="inputs"/> holds one tokenized <see cref="Features"/> per input column;
    /// <paramref name="labels"/> is the label column as a tensor ([B] floats / int64 class ids, or [B, K] vectors),
    /// or null when the dataset has none.
    /// </summary>
    /// <returns>
    /// A scalar. When <see cref="PerformsOwnBackward"/> is true and autograd is enabled, the gradients are already
    /// accumulated into the parameters and the returned scalar is detached: the caller must not call backward.
    /// </returns>
    public abstract Tensor Compute(IReadOnlyList<Features> inputs, Tensor? labels);

    /// <summary>
    /// True for losses that back-propagate inside <see cref="Compute"/> (the cached / GradCache family): they must
    /// re-run the model per mini-batch with gradients after the loss is known, which cannot be expressed as one
    /// autograd graph. The trainer then skips <c>loss.backward()</c> and, instead of scaling the loss for gradient
    /// accumulation, sets <see cref="BackwardScale"/>.
    /// </summary>
    public virtual bool PerformsOwnBackward => false;

    /// <summary>
    /// Multiplies the gradients a loss with <see cref="PerformsOwnBackward"/> accumulates (e.g.
    /// 1 / gradient_accumulation_steps). Does not change the returned loss value. Ignored by other losses.
    /// </summary>
    public virtual double BackwardScale { get; set; } = 1.0;

    /// <summary>Weights owned by the loss itself (not the model) that the optimizer must also update.</summary>
    public virtual IEnumerable<TorchSharp.Modules.Parameter> ExtraParameters => parameters();

    /// <summary>The hyper-parameters as sentence-transformers' get_config_dict reports them (model cards).</summary>
    public virtual IReadOnlyDictionary<string, object?> Config => new Dictionary<string, object?>();

    /// <summary>Throws a clear error when a loss that needs labels is given none.</summary>
    protected Tensor RequireLabels(Tensor? labels, string expected)
    {
        if (labels is null)
        {
            throw new ArgumentException(
                $"{GetName()} needs a label column ({expected}) but the batch has none. Fix: add a 'label' or " +
                "'score' column to the dataset, or choose a loss that trains on unlabeled columns.");
        }

        return labels;
    }

    /// <summary>Throws a clear error when the number of input columns is outside [min, max].</summary>
    protected void RequireColumns(int count, int min, int? max, string shape)
    {
        if (count < min || (max is int m && count > m))
        {
            string range = max == min ? $"exactly {min}" : max is null ? $"at least {min}" : $"{min} to {max}";
            throw new ArgumentException(
                $"{GetName()} expects {range} input column(s) ({shape}) but the batch has {count}. Fix: select the " +
                "matching text columns of the dataset (the label column is not an input column).");
        }
    }
}
