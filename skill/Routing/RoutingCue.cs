namespace StTrain.Skill.Routing;

/// <summary>One phrase that, found in a request, points at a model type.</summary>
/// <param name="Phrase">Lower-case phrase matched at word starts ("rerank" also matches "reranking").</param>
/// <param name="ModelType">The type the phrase points at.</param>
/// <param name="Strength">Whether the phrase names the model, is a tiebreaker, or is a task hint.</param>
public sealed record RoutingCue(string Phrase, ModelType ModelType, CueStrength Strength);
