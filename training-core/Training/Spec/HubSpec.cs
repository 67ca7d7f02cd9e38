namespace StTrain.Core.Training.Spec;

/// <summary>
/// The `hub:` section. The token is never written in a spec: <see cref="TokenEnv"/> names the environment variable
/// that holds it (HF_TOKEN by default).
/// </summary>
public sealed record HubSpec
{
    public bool Push { get; init; }
    public string? RepoId { get; init; }
    public bool Private { get; init; }
    public string TokenEnv { get; init; } = "HF_TOKEN";
    public string? Endpoint { get; init; }
}
