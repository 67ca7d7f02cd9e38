using System.Text.Json;

namespace StTrain.Tests.Models;

/// <summary>
/// Golden token ids from Hugging Face tokenizers (Rust) for the parity texts, read from
/// tests/Models/Data/hf_bert_uncased_token_ids.json (see make_hf_token_ids.js there for how it was made).
/// </summary>
public static class HuggingFaceTokenIds
{
    private static readonly Lazy<Dictionary<string, long[]>> Golden = new(Load);

    public const string Prompt = "Represent this sentence for searching relevant passages: ";

    /// <summary>[CLS] pieces [SEP] of <paramref name="text"/>, cut to maxSeqLength with [SEP] kept.</summary>
    public static long[] For(string text, int maxSeqLength)
    {
        if (!Golden.Value.TryGetValue(text, out long[]? ids))
            throw new KeyNotFoundException(
                $"No golden token ids for \"{text[..Math.Min(40, text.Length)]}\": ParityTexts changed; regenerate " +
                "tests/Models/Data/hf_bert_uncased_token_ids.json with make_hf_token_ids.js.");
        return ids.Length <= maxSeqLength ? ids : [.. ids[..(maxSeqLength - 1)], ids[^1]];
    }

    public static IReadOnlyCollection<string> Texts => Golden.Value.Keys;

    private static Dictionary<string, long[]> Load()
    {
        string path = Path.Combine(RepositoryRoot(), "tests", "Models", "Data", "hf_bert_uncased_token_ids.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var texts = json.RootElement.GetProperty("texts").EnumerateArray().Select(t => t.GetString()!).ToArray();
        var ids = json.RootElement.GetProperty("ids").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(i => i.GetInt64()).ToArray()).ToArray();
        var result = new Dictionary<string, long[]>(StringComparer.Ordinal);
        for (int i = 0; i < texts.Length; i++) result[texts[i]] = ids[i];
        return result;
    }

    public static string RepositoryRoot()
    {
        if (Environment.GetEnvironmentVariable("ST_TRAIN_ROOT") is { Length: > 0 } root
            && File.Exists(Path.Combine(root, "StTrain.sln")))
            return root;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "StTrain.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException(
            $"No StTrain.sln above {AppContext.BaseDirectory}; set ST_TRAIN_ROOT to the repository root.");
    }
}
