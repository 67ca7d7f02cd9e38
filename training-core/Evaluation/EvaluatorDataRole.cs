namespace StTrain.Core.Evaluation;

/// <summary>
/// One data file an evaluator reads, named by its role in the spec's <c>data:</c> map.
/// </summary>
/// <param name="Role">The key in <c>data:</c>, e.g. "pairs", "queries", "corpus", "qrels".</param>
/// <param name="Required">False for roles that are alternatives (IR takes queries+corpus+qrels or pairs).</param>
/// <param name="Columns">The columns it needs, in words, with the default names tried.</param>
/// <param name="Truncatable">Whether max_rows applies to it (not to an IR corpus, which would lose documents).</param>
public sealed record EvaluatorDataRole(string Role, bool Required, string Columns, bool Truncatable = true);
