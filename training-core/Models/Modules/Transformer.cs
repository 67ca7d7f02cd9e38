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

    private readonly List<string> warnings = [];
    private int maxSeqLength;

    public WordPieceTokenizer Tokenizer { get; }
    public BertModel Encoder => auto_model;

    /// <summary>
    /// Tokens per text (longer texts are truncated). At most config.json's max_position_embeddings: BERT numbers
    /// positions 0..max_position_embeddings-1, and a longer sequence would index past its position table.
    /// </summary>
    public int MaxSeqLength
    {
        get => maxSeqLength;
        set
        {
            int limit = auto_model.Config.MaxPositionEmbeddings;
            if (value < 1 || value > limit)
                throw new ArgumentException(
                    $"max_seq_length {value} is outside what this model can read (1 to {limit}: its config.json " +
                    $"max_position_embeddings is {limit}). Fix: use a max_seq_length of at most {limit}.");
            maxSeqLength = value;
        }
    }

    /// <summary>What loading had to adjust (e.g. a max_seq_length above the position table), one sentence
    /// each.</summary>
    public IReadOnlyList<string> Warnings => warnings;

    /// <summary>Records a warning about how this module was loaded, for the command or run log to show.</summary>
    internal void Warn(string warning) => warnings.Add(warning);

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
        string? warning = null;
        string sbertPath = Path.Combine(directory, "sentence_bert_config.json");
        if (File.Exists(sbertPath))
        {
            var sbert = StTrain.Core.Models.IO.ModelJson.Read(sbertPath);
            if (sbert?["max_seq_length"] is JsonValue v && v.TryGetValue(out int m)) maxSeqLength = m;
            lowerCase = sbert?["do_lower_case"] is JsonValue l && l.TryGetValue(out bool lower) && lower;
        }
        // sentence-transformers would load such a folder and fail inside the embedding lookup at the first text
        // longer than the position table. Capping at load, and saying so, keeps the model usable for every text.
        if (maxSeqLength > config.MaxPositionEmbeddings)
        {
            warning = $"{sbertPath}: max_seq_length {maxSeqLength} is more than the model's max_position_embeddings " +
                      $"{config.MaxPositionEmbeddings} (config.json), so texts are cut at " +
                      $"{config.MaxPositionEmbeddings} tokens instead. Fix: set max_seq_length to at most " +
                      $"{config.MaxPositionEmbeddings} in that file.";
            maxSeqLength = config.MaxPositionEmbeddings;
        }
        if (maxSeqLength < 1)
            throw new InvalidDataException(
                $"{sbertPath}: max_seq_length {maxSeqLength} is not a token count. Fix: set it between 1 and " +
                $"{config.MaxPositionEmbeddings}.");
        var transformer = new Transformer(model, tokenizer, maxSeqLength) { DoLowerCase = lowerCase };
        if (warning is not null) transformer.warnings.Add(warning);
        return transformer;
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
