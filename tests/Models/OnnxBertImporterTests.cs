using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Onnx;
using StTrain.Core.Models.Import;
using StTrain.Core.Models.IO;
using Xunit;
using Xunit.Abstractions;

namespace StTrain.Tests.Models;

[Collection(BundledModelsCollection.Name)]
public sealed class OnnxBertImporterTests(BundledModelsFixture fixture, ITestOutputHelper output)
{
    public static TheoryData<string> Packages => new() { BundledPackage.MiniLM.Id, BundledPackage.ArcticXs.Id };

    private static ModelProto ReadGraph(BundledPackage package) =>
        OnnxBertImporter.ReadModel(new MemoryStream(package.ReadResource("model.onnx")));

    private static HashSet<string> ExpectedNames(int layers, bool pooler)
    {
        var names = new HashSet<string>
        {
            "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
            "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
        };
        string[] perLayer =
        [
            "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
            "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm",
        ];
        for (int i = 0; i < layers; i++)
            foreach (string module in perLayer)
            {
                names.Add($"encoder.layer.{i}.{module}.weight");
                names.Add($"encoder.layer.{i}.{module}.bias");
            }
        if (pooler) names.UnionWith(["pooler.dense.weight", "pooler.dense.bias"]);
        return names;
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void ImportWritesASentenceTransformersFolder(string id)
    {
        var package = BundledPackage.ById(id);
        string folder = fixture.Folder(package);
        foreach (string file in new[]
                 {
                     "model.safetensors", "config.json", "vocab.txt", "tokenizer_config.json",
                     "special_tokens_map.json", "modules.json", "sentence_bert_config.json",
                     "config_sentence_transformers.json", "1_Pooling/config.json", OnnxBertImporter.ProvenanceFileName,
                 })
            Assert.True(File.Exists(Path.Combine(folder, file)), $"{file} is missing from {folder}");
        Assert.True(Directory.Exists(Path.Combine(folder, "2_Normalize")));

        // Upstream BertConfig facts of both models (they share the MiniLM-L6-H384 architecture).
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "config.json")));
        var c = config.RootElement;
        Assert.Equal("bert", c.GetProperty("model_type").GetString());
        Assert.Equal("BertModel", c.GetProperty("architectures")[0].GetString());
        Assert.Equal(30522, c.GetProperty("vocab_size").GetInt32());
        Assert.Equal(384, c.GetProperty("hidden_size").GetInt32());
        Assert.Equal(6, c.GetProperty("num_hidden_layers").GetInt32());
        Assert.Equal(12, c.GetProperty("num_attention_heads").GetInt32());
        Assert.Equal(1536, c.GetProperty("intermediate_size").GetInt32());
        Assert.Equal("gelu", c.GetProperty("hidden_act").GetString());
        Assert.Equal(512, c.GetProperty("max_position_embeddings").GetInt32());
        Assert.Equal(2, c.GetProperty("type_vocab_size").GetInt32());
        Assert.Equal(1e-12, c.GetProperty("layer_norm_eps").GetDouble());
        Assert.Equal(0, c.GetProperty("pad_token_id").GetInt32());

        using var st = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "sentence_bert_config.json")));
        Assert.Equal(package.MaxSeqLength, st.RootElement.GetProperty("max_seq_length").GetInt32());
        using var pooling = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "1_Pooling", "config.json")));
        var poolingMode = pooling.RootElement;
        Assert.Equal(package.Pooling == "cls", poolingMode.GetProperty("pooling_mode_cls_token").GetBoolean());
        Assert.Equal(package.Pooling == "mean", poolingMode.GetProperty("pooling_mode_mean_tokens").GetBoolean());
        Assert.Equal(384, pooling.RootElement.GetProperty("word_embedding_dimension").GetInt32());
        using var modules = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "modules.json")));
        Assert.Equal(
            ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
             "sentence_transformers.models.Normalize"],
            modules.RootElement.EnumerateArray().Select(m => m.GetProperty("type").GetString()!).ToArray());
        using var stConfig = JsonDocument.Parse(
            File.ReadAllText(Path.Combine(folder, "config_sentence_transformers.json")));
        Assert.Equal("cosine", stConfig.RootElement.GetProperty("similarity_fn_name").GetString());
        var prompts = stConfig.RootElement.GetProperty("prompts");
        if (package.QueryPrompt is null) Assert.Empty(prompts.EnumerateObject());
        else Assert.Equal(package.QueryPrompt, prompts.GetProperty("query").GetString());
        using var tokenizer = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer_config.json")));
        Assert.True(tokenizer.RootElement.GetProperty("do_lower_case").GetBoolean());
        Assert.Equal("BertTokenizer", tokenizer.RootElement.GetProperty("tokenizer_class").GetString());

        // vocab.txt: LF line ends, same tokens as the package.
        string vocab = File.ReadAllText(Path.Combine(folder, "vocab.txt"));
        Assert.DoesNotContain('\r', vocab);
        string packageVocab = Encoding.UTF8.GetString(package.ReadResource("vocab.txt")).Replace("\r\n", "\n");
        Assert.Equal(packageVocab.TrimEnd('\n'), vocab.TrimEnd('\n'));

        // The all-MiniLM export keeps BERT's pooler; the arctic export has last_hidden_state only.
        bool pooler = package == BundledPackage.MiniLM;
        var tensors = SafeTensorsFile.Load(Path.Combine(folder, "model.safetensors"));
        try
        {
            Assert.Equal(ExpectedNames(6, pooler).Order(), tensors.Keys.Order());
            Assert.Equal([30522L, 384], tensors["embeddings.word_embeddings.weight"].shape);
            Assert.Equal([512L, 384], tensors["embeddings.position_embeddings.weight"].shape);
            Assert.Equal([2L, 384], tensors["embeddings.token_type_embeddings.weight"].shape);
            Assert.Equal([384L, 384], tensors["encoder.layer.3.attention.self.key.weight"].shape);
            Assert.Equal([1536L, 384], tensors["encoder.layer.5.intermediate.dense.weight"].shape);
            Assert.Equal([384L, 1536], tensors["encoder.layer.5.output.dense.weight"].shape);
            Assert.Equal([1536L], tensors["encoder.layer.0.intermediate.dense.bias"].shape);
            Assert.All(tensors.Values, t => Assert.Equal(TorchSharp.torch.ScalarType.Float32, t.dtype));
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void ReferenceForwardOfImportedWeightsMatchesOnnxRuntime(string id)
    {
        var package = BundledPackage.ById(id);
        using var ort = new OrtSentenceEncoder(package);
        using var reference = new ReferenceBertForward(fixture.Folder(package));
        string[] texts =
        [
            "A man is playing a guitar.", "hello", "Café crème brûlée à la française.", "我喜欢机器学习和自然语言处理。",
            "Tabs\tand\nnewlines\r\nin   the text.",
            ParityTexts.All[^3], // 700 words: truncated to max_seq_length
        ];
        var (ortHidden, ids) = ort.LastHiddenState(texts);
        double worstDiff = 0, worstCosine = 1;
        for (int b = 0; b < texts.Length; b++)
        {
            var ours = reference.LastHiddenState(ids[b]);
            for (int t = 0; t < ids[b].Length; t++)
            {
                for (int d = 0; d < ours[t].Length; d++)
                    worstDiff = Math.Max(worstDiff, Math.Abs(ours[t][d] - ortHidden[b][t][d]));
                worstCosine = Math.Min(worstCosine, OrtSentenceEncoder.Cosine(ours[t], ortHidden[b][t]));
            }
        }
        output.WriteLine($"{id}: token-level max |diff| = {worstDiff:E3}, min cosine = {worstCosine:F9}");
        Assert.True(worstDiff < 1e-3, $"max |reference - ORT| = {worstDiff}");
        Assert.True(worstCosine >= 0.99999, $"min token cosine = {worstCosine}");
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void NamesComeFromStructureNotFromInitializerNamesOrOrder(string id)
    {
        var package = BundledPackage.ById(id);
        var original = OnnxBertImporter.Analyze(ReadGraph(package));

        // Rename every initializer to an opaque name, rewire the nodes, and shuffle the initializer list.
        var scrambled = ReadGraph(package);
        var graph = scrambled.Graph;
        var random = new Random(7);
        var rename = graph.Initializer.ToDictionary(t => t.Name, _ => $"w{random.Next():x8}_{Guid.NewGuid():N}");
        foreach (var tensor in graph.Initializer) tensor.Name = rename[tensor.Name];
        foreach (var input in graph.Input.Where(i => rename.ContainsKey(i.Name))) input.Name = rename[input.Name];
        foreach (var node in graph.Node)
            for (int i = 0; i < node.Input.Count; i++)
                if (rename.TryGetValue(node.Input[i], out string? renamed)) node.Input[i] = renamed;
        var shuffled = graph.Initializer.OrderBy(_ => random.Next()).ToList();
        graph.Initializer.Clear();
        graph.Initializer.AddRange(shuffled);

        var recovered = OnnxBertImporter.Analyze(scrambled);
        Assert.Equal(original.Config, recovered.Config);
        Assert.Equal(original.Sources.Keys.Order(), recovered.Sources.Keys.Order());
        foreach (var (name, source) in original.Sources)
        {
            string bare = source.Replace(" (transposed)", "", StringComparison.Ordinal);
            Assert.Equal(source.Replace(bare, rename[bare], StringComparison.Ordinal), recovered.Sources[name]);
        }
        output.WriteLine($"{id}: {recovered.Sources.Count} weights recovered from an anonymised, shuffled graph");
    }

    [Fact]
    public void NamesThatContradictTheStructureAreRejected()
    {
        var model = ReadGraph(BundledPackage.ArcticXs);
        const string query = "encoder.layer.1.attention.self.query.bias";
        const string key = "encoder.layer.1.attention.self.key.bias";
        foreach (var tensor in model.Graph.Initializer)
            tensor.Name = tensor.Name == query ? key : tensor.Name == key ? query : tensor.Name;
        foreach (var node in model.Graph.Node)
            for (int i = 0; i < node.Input.Count; i++)
                node.Input[i] = node.Input[i] == query ? key : node.Input[i] == key ? query : node.Input[i];

        var error = Assert.Throws<InvalidDataException>(() => OnnxBertImporter.Analyze(model));
        Assert.Contains(query, error.Message);
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void UnrecognisedStructureFailsNamingTheNode()
    {
        var model = ReadGraph(BundledPackage.MiniLM);
        var softmax = model.Graph.Node.Where(n => n.OpType == "Softmax").ElementAt(2);
        softmax.OpType = "Sigmoid";
        var error = Assert.Throws<InvalidDataException>(() => OnnxBertImporter.Analyze(model));
        output.WriteLine(error.Message);
        Assert.Contains("layer 2", error.Message);
        Assert.Contains("Softmax", error.Message);
        Assert.Matches(@"MatMul node 'MatMul_\d+'", error.Message);
    }

    [Fact]
    public void WeightsOutsideTheEncoderAreNotSilentlyDropped()
    {
        var model = ReadGraph(BundledPackage.ArcticXs);
        var extra = new TensorProto { Name = "projection.weight", DataType = (int)TensorProto.Types.DataType.Float };
        extra.Dims.AddRange([2L, 2L]);
        extra.RawData = ByteString.CopyFrom(new byte[16]);
        model.Graph.Initializer.Add(extra);
        var error = Assert.Throws<InvalidDataException>(() => OnnxBertImporter.Analyze(model));
        Assert.Contains("projection.weight [2, 2]", error.Message);
    }

    [Fact]
    public void VocabularyOfTheWrongSizeIsRejected()
    {
        var package = BundledPackage.MiniLM;
        var model = ReadGraph(package);
        string vocab = string.Join("\n", "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello");
        var facts = new SentenceModelFacts(package.Id, "mean", true, 256, true, 512, new Dictionary<string, string>());
        string folder = Path.Combine(fixture.CacheRoot, "wrong-vocab");
        var error = Assert.Throws<InvalidDataException>(
            () => OnnxBertImporter.Import(model, vocab, facts, folder, "test"));
        Assert.Contains("vocab.txt has 6 tokens", error.Message);
        Assert.Contains("30522", error.Message);
    }
}
