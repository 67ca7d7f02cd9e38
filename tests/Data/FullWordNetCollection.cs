using Xunit;

namespace StTrain.Tests.Data;

/// <summary>Tests that share one load of the full WordNet noun database.</summary>
[CollectionDefinition(Name)]
public sealed class FullWordNetCollection : ICollectionFixture<FullWordNetFixture>
{
    public const string Name = "Full WordNet database";
}
