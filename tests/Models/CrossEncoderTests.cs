using System.Text.Json.Nodes;
using StTrain.Core.Data;
using StTrain.Core.Models;
using StTrain.Core.Models.IO;
using StTrain.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace StTrain.Tests.Models;

/// <summary>
/// CrossEncoder inference on tiny models: the saved folder layout, save → load round trips, the activation that
/// config.json selects, multi-label models, and the errors for folders that are not sequence-classification models.
/// </summary>
public sealed class CrossEncoderTests : IDisposable
{
    private static readonly (string, string)[] Pairs =
    [
        ("the dog and the cat", "a dog with a cat"),
        ("a red car on the road", "the big green tree"),
        ("fish in the river", "the bird is in the sky and the sea is blue with a fish"),
        ("king", "queen"),
        ("the child is learning to read a book in school", "teach"),
    ];

    private readonly string root = Directory.CreateTempSubdirectory("st-train-ce-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static CrossEncoder Tiny(int numLabels = 1, long seed = 5)
    {
        manual_seed(11);
        return CrossEncoder.CreateFromScratch(TinyModels.Config(), TinyModels.Tokenizer(), numLabels, seed,
            maxLength: 32);
    }

    private string SaveTiny(string name, int numLabels = 1)
    {
        string folder = Path.Combine(root, name);
        using var model = Tiny(numLabels);
        model.Save(folder);
        return folder;
    }

    private static JsonObject ReadConfig(string folder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!.AsObject();

    private static void WriteConfig(string folder, JsonObject config) =>
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());

    [Fact]
    public void Save_writes_the_sequence_classification_layout_python_reads()
    {
        string folder = SaveTiny("ce");

        foreach (string file in new[]
                 {
                     "config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json",
                     "special_tokens_map.json",
                 })
            Assert.True(File.Exists(Path.Combine(folder, file)), $"missing {file}");
        Assert.False(File.Exists(Path.Combine(folder, "modules.json"))); // a CrossEncoder is no module pipeline

        var config = ReadConfig(folder);
        Assert.Equal("bert", config["model_type"]!.GetValue<string>());
        Assert.Equal(["BertForSequenceClassification"],
            config["architectures"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal("LABEL_0", config["id2label"]!["0"]!.GetValue<string>());
        Assert.Equal(0, config["label2id"]!["LABEL_0"]!.GetValue<int>());
        Assert.Single(config["id2label"]!.AsObject());
        Assert.Null(config["num_labels"]);
        Assert.Equal(CrossEncoder.Sigmoid, config["sentence_transformers"]!["activation_fn"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(config["sentence_transformers"]!["version"]!.GetValue<string>()));
        Assert.Equal(32, config["hidden_size"]!.GetValue<int>());
        var tokenizerConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer_config.json")))!;
        Assert.Equal(32, tokenizerConfig["model_max_length"]!.GetValue<int>());

        var weights = SafeTensorsFile.Load(Path.Combine(folder, "model.safetensors"));
        try
        {
            Assert.All(weights.Keys, key => Assert.True(
                key.StartsWith("bert.", StringComparison.Ordinal) || key.StartsWith("classifier.", StringComparison.Ordinal),
                key));
            Assert.Equal([1L, 32L], weights["classifier.weight"].shape);
            Assert.Equal([1L], weights["classifier.bias"].shape);
            Assert.Equal([32L, 32L], weights["bert.pooler.dense.weight"].shape);
            Assert.Contains("bert.embeddings.token_type_embeddings.weight", weights.Keys);
            Assert.Contains("bert.encoder.layer.1.output.LayerNorm.bias", weights.Keys);
            // Hugging Face's initialisation: zero bias, normal(0, 0.02) weights.
            Assert.Equal(0f, weights["classifier.bias"].item<float>());
            double std = weights["classifier.weight"].std().item<float>();
            Assert.InRange(std, 0.01, 0.03);
        }
        finally
        {
            foreach (var tensor in weights.Values) tensor.Dispose();
        }
    }

    [Fact]
    public void Save_then_load_gives_identical_scores_and_identical_weights()
    {
        string folder = Path.Combine(root, "ce");
        float[] before;
        using (var model = Tiny())
        {
            before = model.Predict(Pairs, batchSize: 2);
            model.Save(folder);
        }

        using var loaded = CrossEncoder.Load(folder, CPU);
        Assert.Equal(1, loaded.NumLabels);
        Assert.Equal(32, loaded.MaxLength);
        Assert.Equal(CrossEncoder.Sigmoid, loaded.ActivationFunction);
        Assert.Empty(loaded.Warnings);
        Assert.Equal(before, loaded.Predict(Pairs, batchSize: 2));

        string again = Path.Combine(root, "again");
        loaded.Save(again);
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder, "model.safetensors")),
            File.ReadAllBytes(Path.Combine(again, "model.safetensors")));
    }

    [Fact]
    public void Scores_are_sigmoid_of_the_logits_in_pair_order_whatever_the_batch_size()
    {
        using var model = Tiny();
        float[] logits = model.Predict(Pairs, batchSize: 5, applyActivation: false);
        float[] oneByOne = Pairs.Select(p => model.Predict([p], batchSize: 1)[0]).ToArray();
        float[] batched = model.Predict(Pairs, batchSize: 2);

        for (int i = 0; i < Pairs.Length; i++)
        {
            Assert.Equal(1 / (1 + Math.Exp(-logits[i])), batched[i], 1e-6);
            Assert.Equal(oneByOne[i], batched[i], 1e-6); // padding and length sorting change nothing
        }
        Assert.True(batched.Max() - batched.Min() > 1e-4, "the pairs should not all score the same");
        Assert.Equal(batched, ((IPairScorer)model).Score(Pairs, 3).ToArray());
        Assert.Empty(model.Predict([], batchSize: 4));
        Assert.Empty(model.PredictLabels([]));
    }

    [Fact]
    public void Pairs_are_encoded_with_token_types_and_cut_to_max_length()
    {
        using var model = Tiny();
        string longText = string.Join(' ', Enumerable.Repeat("the big green tree", 30));
        using var features = model.Tokenize([("dog", "cat"), (longText, longText)]);

        Assert.Equal(32, features[Features.InputIds].shape[1]);
        long[] types = features[Features.TokenTypeIds][0].data<long>().ToArray();
        Assert.Equal([0L, 0L, 0L, 1L, 1L], types.Take(5)); // [CLS] dog [SEP] | cat [SEP]
        float score = model.Predict([(longText, longText)])[0];
        Assert.InRange(score, 0f, 1f);
    }

    [Fact]
    public void Activation_comes_from_config_json_with_the_upstream_defaults()
    {
        string folder = SaveTiny("ce");
        float[] logits;
        using (var model = CrossEncoder.Load(folder, CPU)) logits = model.Predict(Pairs, applyActivation: false);

        float[] ScoresWith(Action<JsonObject> edit, string expectedActivation)
        {
            var config = ReadConfig(folder);
            edit(config);
            WriteConfig(folder, config);
            using var model = CrossEncoder.Load(folder, CPU);
            Assert.Equal(expectedActivation, model.ActivationFunction);
            return model.Predict(Pairs);
        }

        // No activation named: sigmoid for one label.
        float[] plain = ScoresWith(c => c.Remove("sentence_transformers"), CrossEncoder.Sigmoid);
        Assert.All(Enumerable.Range(0, Pairs.Length),
            i => Assert.Equal(1 / (1 + Math.Exp(-logits[i])), plain[i], 1e-6));

        float[] identity = ScoresWith(
            c => c["sentence_transformers"] = new JsonObject { ["activation_fn"] = CrossEncoder.Identity },
            CrossEncoder.Identity);
        Assert.Equal(logits, identity);

        // The short torch path names the same class.
        float[] tanh = ScoresWith(
            c => c["sentence_transformers"] = new JsonObject { ["activation_fn"] = "torch.nn.Tanh" }, CrossEncoder.Tanh);
        Assert.All(Enumerable.Range(0, Pairs.Length), i => Assert.Equal(Math.Tanh(logits[i]), tanh[i], 1e-6));

        // sentence-transformers before v4 kept the activation at the top level.
        float[] legacy = ScoresWith(c =>
        {
            c.Remove("sentence_transformers");
            c["sbert_ce_default_activation_function"] = CrossEncoder.Identity;
        }, CrossEncoder.Identity);
        Assert.Equal(logits, legacy);
        using (var model = CrossEncoder.Load(folder, CPU))
        {
            string resaved = Path.Combine(root, "resaved");
            model.Save(resaved);
            var config = ReadConfig(resaved);
            Assert.Null(config["sbert_ce_default_activation_function"]);
            Assert.Equal(CrossEncoder.Identity, config["sentence_transformers"]!["activation_fn"]!.GetValue<string>());
        }
    }

    [Fact]
    public void A_custom_activation_falls_back_to_the_default_with_a_warning_and_an_unknown_torch_one_is_refused()
    {
        string folder = SaveTiny("ce");
        var config = ReadConfig(folder);
        config["sentence_transformers"] = new JsonObject { ["activation_fn"] = "my_package.scaling.Scaler" };
        WriteConfig(folder, config);
        using (var model = CrossEncoder.Load(folder, CPU))
        {
            Assert.Equal(CrossEncoder.Sigmoid, model.ActivationFunction);
            Assert.Contains("my_package.scaling.Scaler", Assert.Single(model.Warnings), StringComparison.Ordinal);
        }

        config["sentence_transformers"] = new JsonObject { ["activation_fn"] = "torch.nn.modules.activation.ReLU" };
        WriteConfig(folder, config);
        var error = Assert.Throws<NotSupportedException>(() => CrossEncoder.Load(folder, CPU));
        Assert.Contains(Path.Combine(folder, "config.json"), error.Message, StringComparison.Ordinal);
        Assert.Contains("torch.nn.modules.activation.ReLU", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_labels_give_rows_with_identity_by_default()
    {
        string folder = SaveTiny("nli", numLabels: 3);
        var config = ReadConfig(folder);
        config["id2label"] = new JsonObject { ["0"] = "contradiction", ["1"] = "entailment", ["2"] = "neutral" };
        config["label2id"] = new JsonObject { ["contradiction"] = 0, ["entailment"] = 1, ["neutral"] = 2 };
        config.Remove("sentence_transformers");
        WriteConfig(folder, config);

        using var model = CrossEncoder.Load(folder, CPU);
        Assert.Equal(3, model.NumLabels);
        Assert.Equal(["contradiction", "entailment", "neutral"], model.Labels);
        Assert.Equal(CrossEncoder.Identity, model.ActivationFunction);

        float[][] rows = model.PredictLabels(Pairs, batchSize: 2);
        float[][] logits = model.PredictLabels(Pairs, applyActivation: false);
        float[][] probabilities = model.PredictLabels(Pairs, applySoftmax: true);
        Assert.Equal(Pairs.Length, rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal(3, rows[i].Length);
            for (int j = 0; j < 3; j++) Assert.Equal(logits[i][j], rows[i][j], 1e-6);
            double normaliser = logits[i].Sum(l => Math.Exp(l));
            for (int j = 0; j < 3; j++) Assert.Equal(Math.Exp(logits[i][j]) / normaliser, probabilities[i][j], 1e-6);
        }

        Assert.Contains("PredictLabels",
            Assert.Throws<InvalidOperationException>(() => model.Predict(Pairs)).Message, StringComparison.Ordinal);
        Assert.Contains("num_labels 1", Assert.Throws<InvalidOperationException>(
            () => ((IPairScorer)model).Score(Pairs, 2)).Message, StringComparison.Ordinal);

        string resaved = Path.Combine(root, "nli-resaved");
        model.Save(resaved);
        Assert.Equal("neutral", ReadConfig(resaved)["id2label"]!["2"]!.GetValue<string>());
        Assert.Equal(2, ReadConfig(resaved)["label2id"]!["neutral"]!.GetValue<int>());
    }

    [Fact]
    public void A_bi_encoder_folder_is_refused_naming_config_json_and_the_fix()
    {
        string folder = Path.Combine(root, "bi-encoder");
        using (var model = TinyModels.Create()) model.Save(folder);

        var error = Assert.Throws<InvalidDataException>(() => CrossEncoder.Load(folder, CPU));
        Assert.Contains(Path.Combine(folder, "config.json"), error.Message, StringComparison.Ordinal);
        Assert.Contains("architectures", error.Message, StringComparison.Ordinal);
        Assert.Contains("SentenceTransformer", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", error.Message, StringComparison.Ordinal);
        Assert.Contains("BertForSequenceClassification", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_classification_config_without_classifier_weights_is_refused_naming_model_safetensors()
    {
        string folder = Path.Combine(root, "headless");
        using (var model = TinyModels.Create()) model.Save(folder);
        var config = ReadConfig(folder);
        config["architectures"] = new JsonArray("BertForSequenceClassification");
        WriteConfig(folder, config);

        var error = Assert.Throws<InvalidDataException>(() => CrossEncoder.Load(folder, CPU));
        Assert.Contains(Path.Combine(folder, "model.safetensors"), error.Message, StringComparison.Ordinal);
        Assert.Contains("classifier.weight", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Labels_that_do_not_match_the_classifier_rows_are_refused()
    {
        string folder = SaveTiny("ce");
        var config = ReadConfig(folder);
        config["id2label"] = new JsonObject { ["0"] = "no", ["1"] = "yes" };
        WriteConfig(folder, config);

        var error = Assert.Throws<InvalidDataException>(() => CrossEncoder.Load(folder, CPU));
        Assert.Contains("classifier.weight", error.Message, StringComparison.Ordinal);
        Assert.Contains("id2label", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_encoder_reuses_a_bi_encoders_weights_with_a_seeded_head()
    {
        string folder = Path.Combine(root, "bi-encoder");
        using (var biEncoder = TinyModels.Create()) biEncoder.Save(folder);

        using var first = CrossEncoder.FromEncoder(folder, seed: 3, device: CPU);
        using var same = CrossEncoder.FromEncoder(folder, seed: 3, device: CPU);
        using var other = CrossEncoder.FromEncoder(folder, seed: 4, device: CPU);
        Assert.Equal(64, first.MaxLength); // max_position_embeddings: the tiny tokenizer sets no model_max_length
        Assert.Equal(first.Predict(Pairs), same.Predict(Pairs));
        Assert.NotEqual(first.Predict(Pairs), other.Predict(Pairs));

        // The encoder, pooler included, is the bi-encoder's.
        using var reloaded = SentenceTransformer.Load(folder, CPU);
        using (no_grad())
        {
            var expected = reloaded.Transformer.Encoder.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, parameter) in first.Encoder.named_parameters())
                Assert.True(expected[name].eq(parameter).all().item<bool>(), name);
        }

        string saved = Path.Combine(root, "reranker");
        first.Save(saved);
        // Read as a bi-encoder, the reranker folder loads (mean pooling) but says its head is ignored.
        using (var asBiEncoder = SentenceTransformer.Load(saved))
            Assert.Contains(asBiEncoder.Warnings, w => w.Contains("sequence-classification", StringComparison.Ordinal));
        Assert.Contains("A bi-encoder cannot rescore pairs",
            Assert.Throws<InvalidDataException>(() => CrossEncoder.Load(folder, CPU)).Message, StringComparison.Ordinal);
        Assert.Contains("Load",
            Assert.Throws<ArgumentException>(() => CrossEncoder.FromEncoder(saved, device: CPU)).Message,
            StringComparison.Ordinal);
        using var loaded = CrossEncoder.Load(saved, CPU);
        Assert.Equal(first.Predict(Pairs), loaded.Predict(Pairs));
    }
}
