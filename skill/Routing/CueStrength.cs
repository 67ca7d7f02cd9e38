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
