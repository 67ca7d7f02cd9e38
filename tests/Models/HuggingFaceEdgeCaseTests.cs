using System.Text.Json;
using System.Text.Json.Nodes;
using StTrain.Core.Models;
using StTrain.Core.Models.Tokenization;
using Xunit;
using Xunit.Abstractions;

namespace StTrain.Tests.Models;

/// <summary>
/// The product tokenizer against golden ids from Hugging Face tokenizers (tests/Models/Data/hf_bert_edge_cases.json,
/// made by make_hf_edge_cases.js) on texts that probe the corners of BERT tokenization, under several normaliser
/// settings, each loaded both from vocab.txt + tokenizer_config.json and from a tokenizer.json-only folder; and
/// sentence pairs truncated with longest_first.
/// </summary>
public sealed class HuggingFaceEdgeCaseTests(ITestOutputHelper output)
{
    private static readonly Lazy<JsonElement[]> Configs = new(() =>
    {
        string path = Path.Combine(HuggingFaceTokenIds.RepositoryRoot(), "tests", "Models", "Data",
            "hf_bert_edge_cases.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        return json.RootElement.GetProperty("configs").EnumerateArray().Select(c => c.Clone()).ToArray();
    });

    private static readonly Lazy<string[]> BaseVocabulary = new(() =>
        System.Text.Encoding.UTF8.GetString(BundledPackage.MiniLM.ReadResource("vocab.txt"))
            .Replace("\r\n", "\n").TrimEnd('\n').Split('\n'));

    public static TheoryData<string, string> Layouts()
    {
        var data = new TheoryData<string, string>();
        foreach (var config in Configs.Value)
        {
            var settings = config.GetProperty("config");
            string name = settings.GetProperty("name").GetString()!;
            // tokenizer_config.json cannot express max_input_chars_per_word; only tokenizer.json carries it.
            if (!settings.TryGetProperty("max_input_chars_per_word", out _)) data.Add(name, "vocab.txt");
            data.Add(name, "tokenizer.json");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void MatchesHuggingFaceOnEdgeCases(string configName, string layout)
    {
        var config = Configs.Value.Single(c => c.GetProperty("config").GetProperty("name").GetString() == configName);
        var settings = config.GetProperty("config");
        string[] vocabulary = [.. BaseVocabulary.Value, .. Strings(settings, "extra_vocab")];
        string folder = Directory.CreateTempSubdirectory("st-train-hf-edge-").FullName;
        try
        {
            WriteFolder(folder, layout, settings, vocabulary);
            var tokenizer = WordPieceTokenizer.Load(folder);
            var singles = config.GetProperty("singles").EnumerateArray().ToList();
            Assert.True(singles.Count >= 50);
            var wrong = new List<string>();
            foreach (var single in singles)
            {
                string text = single.GetProperty("text").GetString()!;
                long[] expected = single.GetProperty("ids").EnumerateArray().Select(i => i.GetInt64()).ToArray();
                using var features = tokenizer.Encode([text], 100_000);
                long[] ours = features[Features.InputIds][0].data<long>().ToArray();
                if (!ours.SequenceEqual(expected))
                    wrong.Add($"{JsonSerializer.Serialize(text)}: ours [{Pieces(ours, vocabulary)}] Hugging Face " +
                              $"[{Pieces(expected, vocabulary)}]");
            }
            foreach (string w in wrong) output.WriteLine(w);
            Assert.Empty(wrong);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void TruncatesPairsLikeHuggingFace()
    {
        var config = Configs.Value.Single(c => c.GetProperty("config").GetProperty("name").GetString() == "uncased");
        var tokenizer = WordPieceTokenizer.FromVocabulary(BaseVocabulary.Value);
        var pairs = config.GetProperty("pairs").EnumerateArray().ToList();
        Assert.True(pairs.Count >= 10);
        foreach (var pair in pairs)
        {
            int maxLength = pair.GetProperty("max_length").GetInt32();
            using var features = tokenizer.EncodePairs(
                [(pair.GetProperty("first").GetString()!, pair.GetProperty("second").GetString()!)], maxLength);
            long[] ids = features[Features.InputIds][0].data<long>().ToArray();
            long[] types = features[Features.TokenTypeIds][0].data<long>().ToArray();
            long[] expected = pair.GetProperty("ids").EnumerateArray().Select(i => i.GetInt64()).ToArray();
            Assert.True(expected.SequenceEqual(ids),
                $"max_length {maxLength}: ours [{Pieces(ids, BaseVocabulary.Value)}] Hugging Face " +
                $"[{Pieces(expected, BaseVocabulary.Value)}]");
            Assert.Equal(pair.GetProperty("type_ids").EnumerateArray().Select(i => i.GetInt64()), types);
        }
    }

    /// <summary>vocab.txt + tokenizer_config.json, or tokenizer.json alone, with the settings of one config.</summary>
    private static void WriteFolder(string folder, string layout, JsonElement settings, string[] vocabulary)
    {
        JsonNode? StripAccents() => settings.GetProperty("strip_accents").ValueKind == JsonValueKind.Null
            ? null
            : settings.GetProperty("strip_accents").GetBoolean();
        bool lowercase = settings.GetProperty("lowercase").GetBoolean();
        bool chinese = settings.GetProperty("handle_chinese_chars").GetBoolean();
        if (layout == "vocab.txt")
        {
            File.WriteAllLines(Path.Combine(folder, "vocab.txt"), vocabulary);
            var tokenizerConfig = new JsonObject
            {
                ["do_lower_case"] = lowercase, ["strip_accents"] = StripAccents(), ["tokenize_chinese_chars"] = chinese,
                ["tokenizer_class"] = "BertTokenizer",
            };
            File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), tokenizerConfig.ToJsonString());
            return;
        }
        var vocab = new JsonObject();
        for (int i = 0; i < vocabulary.Length; i++) vocab[vocabulary[i]] = i;
        var added = new JsonArray();
        foreach (string special in new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" })
            added.Add(new JsonObject
            {
                ["id"] = Array.IndexOf(vocabulary, special), ["content"] = special, ["normalized"] = false,
                ["special"] = true,
            });
        var json = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = added,
            ["normalizer"] = new JsonObject
            {
                ["type"] = "BertNormalizer", ["clean_text"] = true, ["handle_chinese_chars"] = chinese,
                ["strip_accents"] = StripAccents(), ["lowercase"] = lowercase,
            },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "BertPreTokenizer" },
            ["model"] = new JsonObject
            {
                ["type"] = "WordPiece", ["unk_token"] = "[UNK]", ["continuing_subword_prefix"] = "##",
                ["max_input_chars_per_word"] = settings.TryGetProperty("max_input_chars_per_word", out var max)
                    ? max.GetInt32()
                    : 100,
                ["vocab"] = vocab,
            },
        };
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), json.ToJsonString());
    }

    private static string[] Strings(JsonElement settings, string name) =>
        settings.TryGetProperty(name, out var array)
            ? array.EnumerateArray().Select(e => e.GetString()!).ToArray()
            : [];

    private static string Pieces(IEnumerable<long> ids, string[] vocabulary) =>
        string.Join(' ', ids.Take(24).Select(id => id < vocabulary.Length ? vocabulary[id] : $"#{id}"));
}
