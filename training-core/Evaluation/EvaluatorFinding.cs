namespace StTrain.Core.Evaluation;

/// <summary>
/// One problem with an evaluator's spec entry.
/// </summary>
/// <param name="Field">Where, relative to the entry: "data.qrels", "params.ndcg_at_k", "data" or "params".</param>
/// <param name="Message">What is wrong, ending in "Fix: ..." with what to do.</param>
public sealed record EvaluatorFinding(string Field, string Message);
