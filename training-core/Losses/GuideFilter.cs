using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// The settings and the false-negative rule that GISTEmbedLoss and CachedGISTEmbedLoss share. For anchor i the
/// threshold is the guide's sim(anchor_i, positive_i) minus margin ("relative": minus |that similarity| * margin);
/// a candidate the guide scores above it is dropped from the softmax, except the ones the caller keeps (the true
/// positive).
/// </summary>
internal sealed class GuideFilter
{
    /// <summary>Checks the settings; errors start with <paramref name="owner"/>, the loss's name.</summary>
    public GuideFilter(
        string owner, double temperature, string marginStrategy, double margin, bool contrastAnchors,
        bool contrastPositives)
    {
        if (!(temperature > 0))
        {
            throw new ArgumentException($"{owner}: temperature must be positive; got {temperature}.");
        }

        if (!GISTEmbedLoss.MarginStrategies.Contains(marginStrategy))
        {
            throw new ArgumentException($"{owner}: margin_strategy must be absolute or relative; got " +
                                        $"'{marginStrategy}'.");
        }

        Temperature = temperature;
        MarginStrategy = marginStrategy;
        Margin = margin;
        ContrastAnchors = contrastAnchors;
        ContrastPositives = contrastPositives;
    }

    public double Temperature { get; }

    public string MarginStrategy { get; }

    public double Margin { get; }

    public bool ContrastAnchors { get; }

    public bool ContrastPositives { get; }

    /// <summary>
    /// The loss's config: the guide's source, the temperature, <paramref name="miniBatchSize"/> when the loss has
    /// one, then the filter settings.
    /// </summary>
    public Dictionary<string, object?> Config(string? guideSource, int? miniBatchSize = null)
    {
        var config = new Dictionary<string, object?> { ["guide"] = guideSource, ["temperature"] = Temperature };
        if (miniBatchSize is int size) config["mini_batch_size"] = size;
        config["margin_strategy"] = MarginStrategy;
        config["margin"] = Margin;
        config["contrast_anchors"] = ContrastAnchors;
        config["contrast_positives"] = ContrastPositives;
        return config;
    }

    /// <summary>Per-anchor thresholds from the guide's anchor-positive similarities (a [rows, 1] column).</summary>
    public Tensor Threshold(Tensor guideAnchorPositive) => MarginStrategy == "absolute"
        ? guideAnchorPositive - Margin
        : guideAnchorPositive - guideAnchorPositive.abs() * Margin;

    /// <summary>
    /// <paramref name="similarity"/> with -inf wherever the guide's similarity exceeds the anchor's threshold, except
    /// where <paramref name="keep"/> is true.
    /// </summary>
    public static Tensor Mask(Tensor similarity, Tensor guideSimilarity, Tensor threshold, Tensor? keep)
    {
        Tensor drop = guideSimilarity.gt(threshold);
        if (keep is not null) drop = drop.logical_and(keep.logical_not());
        return similarity.masked_fill(drop, double.NegativeInfinity);
    }
}
