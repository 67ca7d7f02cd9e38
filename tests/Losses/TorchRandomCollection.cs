using Xunit;

namespace StTrain.Tests.Losses;

/// <summary>
/// Tests that seed or draw from torch's global random generator (model initialisation, dropout, sampling). They run
/// alone, after the parallel tests, so neither they nor other tests see each other's draws.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchRandomCollection
{
    public const string Name = "torch global random state";
}
