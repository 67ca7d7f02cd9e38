using StTrain.Core.Data;

namespace StTrain.Tests.Data;

/// <summary>
/// Test data: a mini dict of real WordNet 3.1 lines (dog, cat, their hypernyms up to entity, two sisters of dog, one
/// verb, one adjective cluster; license header kept) in tests/Data/Fixtures/wordnet-mini, and the full noun database
/// found on this machine or fetched once with npm by <see cref="WordNetLocator"/>.
/// </summary>
public static class WordNetFixtures
{
    public static string MiniDict { get; } = FindMiniDict();

    private static string FindMiniDict()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "Data", "Fixtures", "wordnet-mini");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException(
            $"tests/Data/Fixtures/wordnet-mini not found above {AppContext.BaseDirectory}.");
    }
}
