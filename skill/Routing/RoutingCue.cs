namespace StTrain.Skill.Routing;

/// <summary>How strongly a cue phrase points at a model type.</summary>
public enum CueStrength
{
    /// <summary>A task hint ("clustering", "Elasticsearch"): decides only when nothing stronger is present.</summary>
    Hint = 1,

    /// <summary>A tiebreaker word from the skill ("similarity", "rerank", "sparse").</summary>
    Tiebreaker = 2,

    /// <summary>The request names the model kind itself ("cross-encoder", "SPLADE", "bi-encoder").</summary>
    Named = 3,
}

/// <summary>One phrase that, found in a request, points at a model type.</summary>
/// <param name="Phrase">Lower-case phrase matched at word starts ("rerank" also matches "reranking").</param>
/// <param name="ModelType">The type the phrase points at.</param>
/// <param name="Strength">Whether the phrase names the model, is a tiebreaker, or is a task hint.</param>
public sealed record RoutingCue(string Phrase, ModelType ModelType, CueStrength Strength);
