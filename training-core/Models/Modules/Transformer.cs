using System.Text.Json;
using System.Text.Json.Nodes;
using StTrain.Core.Models.Bert;
using StTrain.Core.Models.IO;
using StTrain.Core.Models.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Models.Modules;

/// <summary>
/// The transformer stage: tokenizer + BERT encoder, producing "token_embeddings". Saved at the folder root as
/// model.safetensors, config.json, tokenizer files and sentence_bert_config.json.
/// </summary>
public sealed class Transformer : PipelineModule
{
#pragma warning disable IDE1006 // The field name is the checkpoint prefix Python uses ("auto_model").
    private readonly BertModel auto_model;
#pragma warning restore IDE1006

    public WordPieceTokenizer Tokenizer { get; }
    public BertModel Encoder => auto_model;
    public int MaxSeqLength { get; set; }

    /// <summary>sentence_bert_config.json's do_lower_case: lowercase texts before the tokenizer sees them.</summary>
    public bool DoLowerCase { get; set; }

    public Transformer(BertModel model, WordPieceTokenizer tokenizer, int maxSeqLength) : base(nameof(Transformer))
    {
        auto_model = model;
        Tokenizer = tokenizer;
        MaxSeqLength = maxSeqLength;
        RegisterComponents();
    }

    public override string TypeName => "sentence_transformers.models.Transformer";

    public override string DefaultFolderName(int index) => "";

    public int HiddenSize => auto_model.Config.HiddenSize;

    public Features Tokenize(IReadOnlyList<string> texts) =>
        Tokenizer.Encode(DoLowerCase ? texts.Select(t => t.ToLowerInvariant()).ToList() : texts, MaxSeqLength);

    public override Features forward(Features features)
    {
        var output = new Features(features)
        {
            [Features.TokenEmbeddings] = auto_model.forward(
                features[Features.InputIds], features[Features.AttentionMask], features[Features.TokenTypeIds]),
        };
        return output;
    }

    /// <summary>Loads the transformer stage from a folder (the model root or a module sub-folder).</summary>
    public static Transformer Load(string directory)
    {
        string configPath = Path.Combine(directory, "config.json");
        if (!File.Exists(configPath))
            throw new FileNotFoundException($"{directory} has no config.json; it is not a transformer model folder.");
        var weights = BertCheckpoint.ReadWeights(directory);
        var config = BertConfig.Load(configPath).WithPooler(weights.ContainsKey("pooler.dense.weight"));

        var model = new BertModel(config);
        BertCheckpoint.CopyInto(model, weights, directory);
        foreach (var tensor in weights.Values) tensor.Dispose();

        var tokenizer = WordPieceTokenizer.Load(directory);
        int maxSeqLength = Math.Min(config.MaxPositionEmbeddings, tokenizer.ModelMaxLength ?? int.MaxValue);
        bool lowerCase = false;
        string sbertPath = Path.Combine(directory, "sentence_bert_config.json");
        if (File.Exists(sbertPath))
        {
            var sbert = JsonNode.Parse(File.ReadAllText(sbertPath));
            if (sbert?["max_seq_length"] is JsonValue v && v.TryGetValue(out int m)) maxSeqLength = m;
            lowerCase = sbert?["do_lower_case"] is JsonValue l && l.TryGetValue(out bool lower) && lower;
        }
        return new Transformer(model, tokenizer, maxSeqLength) { DoLowerCase = lowerCase };
    }

    public override void Save(string directory)
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, parameter) in auto_model.named_parameters()) state[name] = parameter;
        SafeTensorsFile.Save(Path.Combine(directory, "model.safetensors"), state,
            new Dictionary<string, string> { ["format"] = "pt" });
        auto_model.Config.Save(Path.Combine(directory, "config.json"));
        Tokenizer.Save(directory);
        var sbert = new JsonObject { ["max_seq_length"] = MaxSeqLength, ["do_lower_case"] = DoLowerCase };
        File.WriteAllText(Path.Combine(directory, "sentence_bert_config.json"),
            sbert.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
