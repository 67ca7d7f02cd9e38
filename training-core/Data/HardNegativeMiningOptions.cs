namespace StTrain.Core.Data;

/// <summary>
/// Options of <see cref="HardNegativeMiner"/>, named and defaulted as in sentence-transformers'
/// <c>mine_hard_negatives</c> (range_min, range_max, max_score, min_score, absolute_margin, relative_margin,
/// num_negatives, sampling_strategy, output_format, output_scores, include_positives, batch_size).
/// </summary>
public sealed record HardNegativeMiningOptions
{
    public const string Top = "top";
    public const string Random = "random";
    public const string Triplet = "triplet";
    public const string NTuple = "n-tuple";
    public const string LabeledPair = "labeled-pair";
    public const string LabeledList = "labeled-list";

    /// <summary>Column of the queries; null = the first column.</summary>
    public string? AnchorColumn { get; init; }

    /// <summary>Column of the positives; null = the second column.</summary>
    public string? PositiveColumn { get; init; }

    /// <summary>Skip this many of the best remaining candidates (they may be unlabelled positives).</summary>
    public int RangeMin { get; init; }

    /// <summary>
    /// Consider candidates up to this rank. Null derives it: range_min + num_negatives + max positives per query, or
    /// range_min + 10·num_negatives + max positives when a margin or max_score may discard candidates.
    /// </summary>
    public int? RangeMax { get; init; }

    /// <summary>Discard candidates whose score is above this.</summary>
    public double? MaxScore { get; init; }

    /// <summary>Discard candidates whose score is below this.</summary>
    public double? MinScore { get; init; }

    /// <summary>Discard a candidate when score + margin > positive score (lowest positive of the query).</summary>
    public double? AbsoluteMargin { get; init; }

    /// <summary>Discard a candidate when score > positive − |positive|·margin (lowest positive of the query).</summary>
    public double? RelativeMargin { get; init; }

    /// <summary>Negatives per query (at least 1).</summary>
    public int NumNegatives { get; init; } = 3;

    /// <summary>"top": the best remaining candidates; "random": a uniform sample of the valid ones in the
    /// window.</summary>
    public string SamplingStrategy { get; init; } = Top;

    /// <summary>triplet | n-tuple | labeled-pair | labeled-list.</summary>
    public string OutputFormat { get; init; } = Triplet;

    /// <summary>Add the scores (triplet, n-tuple) or put them in place of the labels (labeled-pair/list).</summary>
    public bool OutputScores { get; init; }

    /// <summary>Keep the positives among the candidates (forces n-tuple), e.g. to build reranking data.</summary>
    public bool IncludePositives { get; init; }

    /// <summary>Texts per encode batch and pairs per cross-encoder batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Queries per similarity chunk of the exact search (upstream faiss_batch_size).</summary>
    public int SearchBatchSize { get; init; } = 16384;

    /// <summary>Upper bound on query×corpus scores held at once; shrinks the chunk for large corpora.</summary>
    public long MaxSimilarityElements { get; init; } = 1L << 25;

    /// <summary>Seed of the "random" sampling strategy (upstream uses Python's unseeded random).</summary>
    public long Seed { get; init; }

    /// <summary>Checks the options that do not depend on the data; the message names the option and the fix.</summary>
    public void Validate()
    {
        if (NumNegatives < 1)
            throw new ArgumentException($"num_negatives must be at least 1, got {NumNegatives}.");
        if (RangeMin < 0) throw new ArgumentException($"range_min must be 0 or more, got {RangeMin}.");
        if (SamplingStrategy is not (Top or Random))
            throw new ArgumentException(
                $"sampling_strategy '{SamplingStrategy}' is unknown. Fix: use \"{Top}\" or \"{Random}\".");
        if (OutputFormat is not (Triplet or NTuple or LabeledPair or LabeledList))
            throw new ArgumentException(
                $"output_format '{OutputFormat}' is unknown. Fix: use {Triplet}, {NTuple}, {LabeledPair} or " +
                $"{LabeledList}.");
        if (BatchSize < 1) throw new ArgumentException($"batch_size must be at least 1, got {BatchSize}.");
        if (SearchBatchSize < 1)
            throw new ArgumentException($"search_batch_size must be at least 1, got {SearchBatchSize}.");
        if (MaxSimilarityElements < 1)
            throw new ArgumentException($"max_similarity_elements must be at least 1, got {MaxSimilarityElements}.");
        foreach (var (name, value) in new[]
                 {
                     ("max_score", MaxScore), ("min_score", MinScore), ("absolute_margin", AbsoluteMargin),
                     ("relative_margin", RelativeMargin),
                 })
        {
            if (value is { } v && !double.IsFinite(v))
                throw new ArgumentException($"{name} must be a finite number, got {v}.");
        }
        if (RangeMax is { } upper && upper <= RangeMin)
            throw new ArgumentException(
                $"range_max ({upper}) must be greater than range_min ({RangeMin}): the window of candidates would be " +
                $"empty and no rows would be written. Fix: raise range_max above {RangeMin} or lower range_min.");
        if (MinScore is { } low && MaxScore is { } high && low > high)
            throw new ArgumentException(
                $"min_score ({low}) is above max_score ({high}): no candidate can score in between, so no rows " +
                "would be written. Fix: make min_score at most max_score (e.g. swap them).");
    }
}
