namespace StTrain.Core.Data;

/// <summary>
/// Scores (query, document) pairs, higher = more relevant: the part of a cross-encoder that hard-negative mining
/// needs to rescore candidates.
/// </summary>
public interface IPairScorer
{
    /// <summary>One score per pair, in pair order, computed <paramref name="batchSize"/> pairs at a time.</summary>
    IReadOnlyList<float> Score(IReadOnlyList<(string Query, string Document)> pairs, int batchSize);
}
