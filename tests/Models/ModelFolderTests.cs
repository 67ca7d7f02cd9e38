using System.Text.Json.Nodes;
using StTrain.Core.Models;
using StTrain.Tests.Support;
using Xunit;

namespace StTrain.Tests.Models;

public sealed class ModelFolderTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("st-train-model-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Save_writes_the_python_layout_and_loads_back_to_identical_embeddings()
    {
        using var model = TinyModels.Create(normalize: true);
        model.SetPrompt("query", "query: ");
        string folder = Path.Combine(root, "saved");
        model.Save(folder);

        foreach (string file in new[]
        {
            "modules.json", "config.json", "config_sentence_transformers.json", "sentence_bert_config.json",
            "model.safetensors", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json",
            "1_Pooling/config.json",
        })
            Assert.True(File.Exists(Path.Combine(folder, file)), $"missing {file}");
        Assert.True(Directory.Exists(Path.Combine(folder, "2_Normalize")));

        var modules = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "modules.json")))!.AsArray();
        Assert.Equal("sentence_transformers.models.Transformer", modules[0]!["type"]!.GetValue<string>());
        Assert.Equal("", modules[0]!["path"]!.GetValue<string>());
        Assert.Equal("1_Pooling", modules[1]!["path"]!.GetValue<string>());
        Assert.Equal("sentence_transformers.models.Normalize", modules[2]!["type"]!.GetValue<string>());

        var weights = StTrain.Core.Models.IO.SafeTensorsFile.Load(Path.Combine(folder, "model.safetensors"));
        Assert.Contains("embeddings.word_embeddings.weight", weights.Keys);
        Assert.Contains("encoder.layer.1.attention.self.query.weight", weights.Keys);
        Assert.Contains("encoder.layer.0.attention.output.LayerNorm.bias", weights.Keys);
        Assert.Contains("encoder.layer.0.intermediate.dense.weight", weights.Keys);
        Assert.Contains("encoder.layer.0.output.dense.weight", weights.Keys);
        Assert.Contains("pooler.dense.weight", weights.Keys);

        string[] texts = ["the dog is in the house", "a big red car", "fish", "the queen read a book with the child"];
        var before = model.Encode(texts);
        using var loaded = SentenceTransformer.Load(folder);
        var after = loaded.Encode(texts);
        Assert.Equal("query: ", loaded.Prompts["query"]);
        Assert.Equal(32, loaded.MaxSeqLength);
        for (int i = 0; i < texts.Length; i++)
            for (int j = 0; j < before[i].Length; j++)
                Assert.Equal(before[i][j], after[i][j], 5);
    }

    [Fact]
    public void Encode_returns_input_order_regardless_of_batching_and_length_sorting()
    {
        using var model = TinyModels.Create();
        string[] texts = ["fish", "the dog is in the house with the cat", "a car", "the tree", "blue sky and sea"];
        var one = texts.Select(t => model.Encode([t])[0]).ToArray();
        var batched = model.Encode(texts, new EncodeOptions { BatchSize = 2 });
        for (int i = 0; i < texts.Length; i++)
            for (int j = 0; j < one[i].Length; j++)
                Assert.Equal(one[i][j], batched[i][j], 4);
    }

    [Fact]
    public void Unknown_model_lists_what_was_tried()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => ModelResolver.Resolve("nobody/no-such-model"));
        Assert.Contains("Tried:", error.Message);
        Assert.Contains("Hugging Face cache", error.Message);
        Assert.Contains("bundled models", error.Message);
    }
}
