namespace StTrain.Core.Evaluation;

/// <summary>One query with the documents to rerank: the relevant ones and the irrelevant ones.</summary>
public sealed record RerankingSample(string Query, IReadOnlyList<string> Positive, IReadOnlyList<string> Negative);
