using System.Text.Json;
using System.Text.Json.Nodes;

namespace StTrain.Core.Models.Bert;

/// <summary>
/// The Hugging Face BertModel configuration (config.json). The raw JSON is kept so that saving writes back every
/// field the file had, including ones this class does not interpret.
/// </summary>
public sealed class BertConfig
{
    public int VocabSize { get; init; } = 30522;
    public int HiddenSize { get; init; } = 768;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumAttentionHeads { get; init; } = 12;
    public int IntermediateSize { get; init; } = 3072;
    public string HiddenAct { get; init; } = "gelu";
    public int MaxPositionEmbeddings { get; init; } = 512;
    public int TypeVocabSize { get; init; } = 2;
    public double LayerNormEps { get; init; } = 1e-12;
    public double HiddenDropoutProb { get; init; } = 0.1;
    public double AttentionProbsDropoutProb { get; init; } = 0.1;
    public int PadTokenId { get; init; }
    public bool HasPooler { get; init; } = true;
    public JsonObject Raw { get; init; } = new();

    private static readonly string[] SupportedTypes = ["bert"];

    public static BertConfig Load(string path)
    {
        JsonObject json;
        try
        {
            json = StTrain.Core.Models.IO.ModelJson.Read(path) as JsonObject
                ?? throw new InvalidDataException("the file does not hold a JSON object");
        }
        catch (Exception error) when (error is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: cannot read the model configuration ({error.Message}).", error);
        }

        string modelType = json["model_type"]?.GetValue<string>() ?? "bert";
        if (!SupportedTypes.Contains(modelType))
            throw new NotSupportedException(
                $"{path}: model_type '{modelType}' is not supported; st-train trains BERT-family encoders " +
                "(model_type 'bert'). Pick a BERT-based checkpoint such as sentence-transformers/all-MiniLM-L6-v2.");

        int Int(string key, int fallback) => json[key] is JsonValue v && v.TryGetValue(out int i) ? i : fallback;
        double Double(string key, double fallback) =>
            json[key] is JsonValue v && v.TryGetValue(out double d) ? d : fallback;

        return new BertConfig
        {
            VocabSize = Int("vocab_size", 30522),
            HiddenSize = Int("hidden_size", 768),
            NumHiddenLayers = Int("num_hidden_layers", 12),
            NumAttentionHeads = Int("num_attention_heads", 12),
            IntermediateSize = Int("intermediate_size", 3072),
            HiddenAct = json["hidden_act"]?.GetValue<string>() ?? "gelu",
            MaxPositionEmbeddings = Int("max_position_embeddings", 512),
            TypeVocabSize = Int("type_vocab_size", 2),
            LayerNormEps = Double("layer_norm_eps", 1e-12),
            HiddenDropoutProb = Double("hidden_dropout_prob", 0.1),
            AttentionProbsDropoutProb = Double("attention_probs_dropout_prob", 0.1),
            PadTokenId = Int("pad_token_id", 0),
            Raw = json,
        };
    }

    /// <summary>A copy of this configuration with or without the pooler.</summary>
    public BertConfig WithPooler(bool hasPooler) => new()
    {
        VocabSize = VocabSize, HiddenSize = HiddenSize, NumHiddenLayers = NumHiddenLayers,
        NumAttentionHeads = NumAttentionHeads, IntermediateSize = IntermediateSize, HiddenAct = HiddenAct,
        MaxPositionEmbeddings = MaxPositionEmbeddings, TypeVocabSize = TypeVocabSize, LayerNormEps = LayerNormEps,
        HiddenDropoutProb = HiddenDropoutProb, AttentionProbsDropoutProb = AttentionProbsDropoutProb,
        PadTokenId = PadTokenId, Raw = Raw, HasPooler = hasPooler,
    };

    public void Save(string path) =>
        File.WriteAllText(path, ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>The config.json object <see cref="Save"/> writes: the loaded fields plus this class's values.</summary>
    public JsonObject ToJson()
    {
        var json = (JsonObject)Raw.DeepClone();
        json["model_type"] ??= "bert";
        json["architectures"] ??= new JsonArray("BertModel");
        json["vocab_size"] = VocabSize;
        json["hidden_size"] = HiddenSize;
        json["num_hidden_layers"] = NumHiddenLayers;
        json["num_attention_heads"] = NumAttentionHeads;
        json["intermediate_size"] = IntermediateSize;
        json["hidden_act"] = HiddenAct;
        json["max_position_embeddings"] = MaxPositionEmbeddings;
        json["type_vocab_size"] = TypeVocabSize;
        json["layer_norm_eps"] = LayerNormEps;
        json["hidden_dropout_prob"] = HiddenDropoutProb;
        json["attention_probs_dropout_prob"] = AttentionProbsDropoutProb;
        json["pad_token_id"] = PadTokenId;
        json["torch_dtype"] ??= "float32";
        json["position_embedding_type"] ??= "absolute";
        json["initializer_range"] ??= 0.02;
        return json;
    }
}
