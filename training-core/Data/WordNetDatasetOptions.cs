namespace StTrain.Core.Data;

/// <summary>What <see cref="WordNetDatasetBuilder"/> builds and how much of it; the defaults give a few MB.</summary>
public sealed record WordNetDatasetOptions
{
    /// <summary>Parts of speech whose synsets become rows: n, v, a (with satellites), r. Default nouns only.</summary>
    public IReadOnlyList<char> PartsOfSpeech { get; init; } = ['n'];

    /// <summary>Synsets that get rows (a hash-ordered sample over all splits); 0 = every synset.</summary>
    public int MaxSynsets { get; init; } = 5000;

    /// <summary>Changes the split assignment and every sample; the same seed gives byte-identical output.</summary>
    public long Seed { get; init; }

    /// <summary>Share of synsets in the train split (by hash of the synset id).</summary>
    public double TrainFraction { get; init; } = 0.8;

    /// <summary>Share of synsets in the dev split; test gets the rest.</summary>
    public double DevFraction { get; init; } = 0.1;

    /// <summary>Triplet rows per synset, one hard negative each.</summary>
    public int TripletNegatives { get; init; } = 1;

    /// <summary>Label-0 pairs per label-1 pair in binary_pairs.</summary>
    public int BinaryNegatives { get; init; } = 1;

    /// <summary>Scored gloss pairs per synset (a sister, a cousin, a random synset, in that order).</summary>
    public int ScoredPairsPerSynset { get; init; } = 3;

    /// <summary>Example sentences per synset in example_gloss.</summary>
    public int MaxExamplesPerSynset { get; init; } = 2;

    /// <summary>Queries per evaluation split in the ir and reranking sets.</summary>
    public int MaxQueries { get; init; } = 500;

    /// <summary>Extra corpus documents (synsets of the split that are not queried) per evaluation split.</summary>
    public int MaxDistractors { get; init; } = 2000;

    /// <summary>Negatives per reranking row.</summary>
    public int RerankingNegatives { get; init; } = 5;

    /// <summary>Checks ranges; the message names the option and the fix.</summary>
    public void Validate()
    {
        if (PartsOfSpeech.Count == 0 || PartsOfSpeech.Any(p => "nvasr".IndexOf(p) < 0))
            throw new ArgumentException(
                $"PartsOfSpeech '{string.Join(",", PartsOfSpeech)}' is invalid. Fix: use any of n, v, a, r.");
        if (MaxSynsets < 0) throw new ArgumentException("MaxSynsets must be 0 (all) or positive.");
        if (TrainFraction <= 0 || DevFraction <= 0 || TrainFraction + DevFraction >= 1)
            throw new ArgumentException(
                $"TrainFraction {TrainFraction} and DevFraction {DevFraction} must be positive and sum below 1 " +
                "so that test keeps a share.");
        foreach (var (name, value) in new[]
                 {
                     ("TripletNegatives", TripletNegatives), ("BinaryNegatives", BinaryNegatives),
                     ("ScoredPairsPerSynset", ScoredPairsPerSynset), ("MaxExamplesPerSynset", MaxExamplesPerSynset),
                     ("MaxQueries", MaxQueries), ("MaxDistractors", MaxDistractors),
                     ("RerankingNegatives", RerankingNegatives),
                 })
        {
            if (value < 0) throw new ArgumentException($"{name} is {value}; it must be 0 or more.");
        }
    }
}
