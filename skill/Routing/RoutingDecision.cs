namespace StTrain.Skill.Routing;

/// <summary>
/// What <see cref="ModelTypeRouter"/> concluded about a request: a model type, or none with the reason
/// (no cue at all, or cues for more than one type).
/// </summary>
/// <param name="ModelType">The chosen type; null when the request is ambiguous.</param>
/// <param name="Ambiguous">True when no single type could be chosen; the agent should ask the user.</param>
/// <param name="Reason">Which cues matched (or why none decided), in a sentence an agent can relay.</param>
/// <param name="MatchedCues">The cue phrases found in the request, grouped by the type they point to.</param>
public sealed record RoutingDecision(
    ModelType? ModelType,
    bool Ambiguous,
    string Reason,
    IReadOnlyDictionary<ModelType, IReadOnlyList<string>> MatchedCues);
