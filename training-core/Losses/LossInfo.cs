using StTrain.Core.Models;

namespace StTrain.Core.Losses;

/// <summary>
/// What a run-spec validator needs to know about a loss before training: the data it accepts (input columns,
/// label kind), constraints on the trainer (batch sampler, gradient checkpointing, own backward), its parameters,
/// and how to build it.
/// </summary>
public sealed record LossInfo
{
    /// <summary>The class name, as sentence-transformers spells it (e.g. "MultipleNegativesRankingLoss").</summary>
    public required string Name { get; init; }

    /// <summary>The model family it trains: "SentenceTransformer".</summary>
    public string ModelType { get; init; } = "SentenceTransformer";

    /// <summary>One sentence on what it optimises.</summary>
    public required string Summary { get; init; }

    /// <summary>The accepted input columns in words, e.g. "(anchor, positive[, negative_1 .. negative_n])".</summary>
    public required string InputDescription { get; init; }

    /// <summary>The label in words, e.g. "none" or "float similarity score".</summary>
    public required string LabelDescription { get; init; }

    /// <summary>Fewest input (text) columns; the label column does not count.</summary>
    public required int MinInputColumns { get; init; }

    /// <summary>Most input columns, or null for n-tuples of any length.</summary>
    public required int? MaxInputColumns { get; init; }

    /// <summary>
    /// The label kinds accepted, the usual one first. Contains <see cref="Losses.LabelKind.None"/> when the loss
    /// can train without labels; a label column given to such a loss is ignored, as in sentence-transformers.
    /// </summary>
    public required IReadOnlyList<LabelKind> LabelKinds { get; init; }

    /// <summary>The usual label kind (the first of <see cref="LabelKinds"/>).</summary>
    public LabelKind LabelKind => LabelKinds[0];

    /// <summary>
    /// In-batch negatives losses: duplicates of an anchor's positive elsewhere in the batch become false negatives,
    /// so the trainer must use the no_duplicates batch sampler.
    /// </summary>
    public bool RequiresNoDuplicatesSampler { get; init; }

    /// <summary>Cached (GradCache) losses: they re-run forward passes themselves, which checkpointing breaks.</summary>
    public bool IncompatibleWithGradientCheckpointing { get; init; }

    /// <summary>Compute back-propagates itself; the trainer must not call backward (see SentenceLoss).</summary>
    public bool PerformsOwnBackward { get; init; }

    /// <summary>
    /// A loss modifier that needs an inner loss (MatryoshkaLoss). Its data rules, sampler and checkpointing
    /// constraints are the inner loss's, and whether it back-propagates itself is the built loss's
    /// <see cref="SentenceLoss.PerformsOwnBackward"/>.
    /// </summary>
    public bool IsWrapper { get; init; }

    /// <summary>The parameters a spec may give, with types and defaults.</summary>
    public IReadOnlyList<LossParameterInfo> Parameters { get; init; } = [];

    /// <summary>Extra data rule beyond the column range and label kinds (null when there is none).</summary>
    internal Func<int, LabelKind, string?>? ExtraDataCheck { get; init; }

    internal Func<SentenceTransformer?, LossParameters, SentenceLoss?, SentenceLoss> Factory { get; init; } =
        (_, _, _) => throw new InvalidOperationException("This LossInfo has no factory.");

    /// <summary>Builds the loss for <paramref name="model"/>, after checking the parameters.</summary>
    public SentenceLoss Create(SentenceTransformer model, LossParameters parameters, SentenceLoss? inner = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        LossParameters owned = (parameters ?? LossParameters.Empty).WithOwner($"loss {Name}");
        IReadOnlyList<string> errors = CheckNames(owned);
        if (errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, errors));
        CheckInner(inner);
        return Factory(model, owned, inner);
    }

    /// <summary>
    /// Every problem with <paramref name="parameters"/> (unknown or missing names, bad types, out-of-range values),
    /// found without a model by building the loss on a dry run. Empty when they are fine.
    /// </summary>
    public IReadOnlyList<string> ValidateParameters(LossParameters parameters)
    {
        LossParameters owned = (parameters ?? LossParameters.Empty).WithOwner($"loss {Name}");
        var errors = CheckNames(owned).ToList();
        if (errors.Count > 0) return errors;
        // The dry run builds the loss without a model; a wrapper gets a stand-in inner loss. Building may draw
        // random numbers (SoftmaxLoss initialises its classifier), so the generator state is put back afterwards.
        using TorchSharp.torch.Tensor rngState = TorchSharp.torch.get_rng_state();
        SentenceLoss? dummyInner = IsWrapper ? new CoSENTLoss(null) : null;
        SentenceLoss? loss = null;
        try
        {
            loss = Factory(null, owned, dummyInner);
        }
        catch (ArgumentException e)
        {
            errors.Add(e.Message);
        }
        finally
        {
            // A wrapper owns its inner loss as a submodule and disposes it.
            if (loss is not null) loss.Dispose();
            else dummyInner?.Dispose();
            TorchSharp.torch.set_rng_state(rngState);
        }

        return errors;
    }

    /// <summary>
    /// Whether a dataset with <paramref name="inputColumns"/> text columns and labels of kind
    /// <paramref name="label"/> (None when it has no label column) fits this loss: null when it does, otherwise the
    /// reason and the fix. Wrappers always return null; check their inner loss instead.
    /// </summary>
    public string? CheckDataset(int inputColumns, LabelKind label)
    {
        if (IsWrapper) return null;
        if (inputColumns < MinInputColumns || (MaxInputColumns is int max && inputColumns > max))
        {
            return $"{Name} takes {InputDescription} ({ColumnRange()} text column(s)) but the dataset has " +
                   $"{inputColumns}. Fix: select or rename the dataset columns (the label column is not counted).";
        }

        bool labelOk = LabelKinds.Contains(label) || (label != LabelKind.None && LabelKinds.Contains(LabelKind.None));
        if (!labelOk)
        {
            return label == LabelKind.None
                ? $"{Name} needs a label column ({LabelDescription}) but the dataset has none. Fix: add a 'label' " +
                  "or 'score' column, or pick a loss for unlabeled data such as MultipleNegativesRankingLoss."
                : $"{Name} expects labels of kind {string.Join(" or ", LabelKinds)} ({LabelDescription}) but the " +
                  $"dataset's label column holds {label}. Fix: convert the label column or pick another loss.";
        }

        return ExtraDataCheck?.Invoke(inputColumns, label);
    }

    private string ColumnRange() => MaxInputColumns switch
    {
        null => $"{MinInputColumns} or more",
        int max when max == MinInputColumns => $"{max}",
        int max => $"{MinInputColumns} to {max}",
    };

    private void CheckInner(SentenceLoss? inner)
    {
        if (IsWrapper && inner is null)
        {
            throw new ArgumentException($"{Name} wraps another loss but none was given. Fix: name the inner loss " +
                                        "(e.g. MultipleNegativesRankingLoss) in the spec.");
        }

        if (!IsWrapper && inner is not null)
        {
            throw new ArgumentException($"{Name} does not wrap another loss, but inner loss {inner.GetName()} was " +
                                        "given. Fix: remove the inner loss, or use a wrapper such as MatryoshkaLoss.");
        }
    }

    private List<string> CheckNames(LossParameters parameters)
    {
        var errors = new List<string>();
        var known = Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (string name in parameters.Names.Where(n => !known.Contains(n)))
        {
            string options = known.Count == 0 ? "it takes no parameters" : $"known: {string.Join(", ", known)}";
            errors.Add($"loss {Name}: unknown parameter '{name}' ({options}). Fix: remove it or correct its spelling.");
        }

        foreach (LossParameterInfo p in Parameters.Where(p => p.Required && !parameters.Has(p.Name)))
        {
            errors.Add($"loss {Name}: parameter '{p.Name}' is required ({p.Description}). " +
                       $"Fix: add '{p.Name}: <{p.Type}>' to the loss parameters.");
        }

        return errors;
    }
}
