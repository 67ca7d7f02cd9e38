using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Onnx;
using StTrain.Core.Models.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Models.Import;

/// <summary>
/// Turns an exported BERT encoder graph (.onnx) plus its WordPiece vocab.txt into a standard sentence-transformers
/// model folder: model.safetensors with Hugging Face BertModel names, config.json, tokenizer files, modules.json,
/// sentence_bert_config.json, config_sentence_transformers.json, 1_Pooling/ and (when normalising) 2_Normalize/.
/// Weight names are recovered from the graph's structure (see <see cref="BertGraphWalker"/>).
/// </summary>
public static class OnnxBertImporter
{
    /// <summary>Bumped whenever the written folder changes, so cached imports made by older code are redone.</summary>
    public const int FormatVersion = 1;

    /// <summary>The provenance file written next to the weights.</summary>
    public const string ProvenanceFileName = "onnx_import.json";

    private static readonly string[] SpecialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
    // Relaxed escaping keeps prompts and provenance readable ("+" and non-ASCII text stay as they are).
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Reads a graph with OnnxSharp's protobuf types.</summary>
    public static ModelProto ReadModel(Stream onnx) => ModelProto.Parser.ParseFrom(onnx);

    /// <summary>Recovers names and hyper-parameters without writing anything.</summary>
    public static OnnxBertImport Analyze(ModelProto model)
    {
        var (config, weights) = new BertGraphWalker(model.Graph).Walk();
        return new OnnxBertImport(config, Describe(weights));
    }

    /// <summary>Imports from streams (graph, vocab.txt) into <paramref name="outputDirectory"/>.</summary>
    public static OnnxBertImport Import(Stream onnx, Stream vocab, SentenceModelFacts facts, string outputDirectory,
        string provenance)
    {
        var model = ReadModel(onnx);
        using var reader = new StreamReader(vocab, Encoding.UTF8);
        return Import(model, reader.ReadToEnd(), facts, outputDirectory, provenance);
    }

    /// <summary>Imports a parsed graph; <paramref name="provenance"/> says where the graph came from.</summary>
    public static OnnxBertImport Import(ModelProto model, string vocabText, SentenceModelFacts facts,
        string outputDirectory, string provenance)
    {
        var (config, weights) = new BertGraphWalker(model.Graph).Walk();
        var vocab = ParseVocab(vocabText);
        CheckFacts(facts, config, vocab);

        Directory.CreateDirectory(outputDirectory);
        WriteWeights(Path.Combine(outputDirectory, "model.safetensors"), weights);
        File.WriteAllText(Path.Combine(outputDirectory, "vocab.txt"), string.Join("\n", vocab) + "\n");
        WriteJson(outputDirectory, "config.json", BertConfigJson(config, vocab.IndexOf("[PAD]")));
        WriteJson(outputDirectory, "tokenizer_config.json", TokenizerConfigJson(facts));
        WriteJson(outputDirectory, "special_tokens_map.json", SpecialTokensJson());
        WriteJson(outputDirectory, "sentence_bert_config.json", new JsonObject
        {
            ["max_seq_length"] = facts.MaxSeqLength,
            // Lower-casing is the tokenizer's job (tokenizer_config.json); sentence-transformers' own flag stays off.
            ["do_lower_case"] = false,
        });
        WriteJson(outputDirectory, "config_sentence_transformers.json", new JsonObject
        {
            ["model_type"] = "SentenceTransformer",
            ["prompts"] = new JsonObject(facts.Prompts.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["default_prompt_name"] = facts.DefaultPromptName,
            ["similarity_fn_name"] = facts.SimilarityFnName,
        });
        WriteJson(outputDirectory, "modules.json", ModulesJson(facts.Normalize));
        Directory.CreateDirectory(Path.Combine(outputDirectory, "1_Pooling"));
        WriteJson(Path.Combine(outputDirectory, "1_Pooling"), "config.json",
            PoolingJson(config.HiddenSize, facts.Pooling));
        if (facts.Normalize) Directory.CreateDirectory(Path.Combine(outputDirectory, "2_Normalize"));

        var sources = Describe(weights);
        WriteJson(outputDirectory, ProvenanceFileName, new JsonObject
        {
            ["format_version"] = FormatVersion,
            ["model_id"] = facts.ModelId,
            ["source"] = provenance,
            ["onnx_producer"] = $"{model.ProducerName} {model.ProducerVersion}".Trim(),
            ["onnx_opset"] = model.OpsetImport.Where(o => o.Domain.Length == 0).Select(o => o.Version).FirstOrDefault(),
            ["weights_from"] = new JsonObject(sources.OrderBy(s => s.Key, StringComparer.Ordinal)
                .Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value))),
        });
        return new OnnxBertImport(config, sources);
    }

    private static Dictionary<string, string> Describe(
        IReadOnlyDictionary<string, BertGraphWalker.WeightRef> weights) =>
        weights.ToDictionary(w => w.Key, w => w.Value.Source + (w.Value.Transpose ? " (transposed)" : ""),
            StringComparer.Ordinal);

    private static void WriteWeights(string path, IReadOnlyDictionary<string, BertGraphWalker.WeightRef> weights)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, weight) in weights)
        {
            float[] data = OnnxGraph.ReadFloats(weight.Tensor);
            long[] dims = OnnxGraph.Dims(weight.Tensor);
            if (data.LongLength != dims.Aggregate(1L, (a, b) => a * b))
                throw new InvalidDataException(
                    $"Initializer '{weight.Source}' ({name}) holds {data.LongLength} values for shape " +
                    $"[{string.Join(", ", dims)}].");
            var tensor = torch.tensor(data, dims, ScalarType.Float32);
            tensors[name] = weight.Transpose ? tensor.t().contiguous() : tensor;
        }
        SafeTensorsFile.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
    }

    /// <summary>vocab.txt as token lines; CRLF or CR line ends (as in the NuGet packages) count as LF.</summary>
    private static List<string> ParseVocab(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    private static void CheckFacts(SentenceModelFacts facts, BertGraphConfig config, List<string> vocab)
    {
        if (vocab.Count != config.VocabSize)
            throw new InvalidDataException(
                $"vocab.txt has {vocab.Count} tokens but the graph's word-embedding table has " +
                $"{config.VocabSize} rows; " +
                "the vocabulary does not belong to this graph.");
        foreach (string special in SpecialTokens)
            if (!vocab.Contains(special))
                throw new InvalidDataException($"vocab.txt lacks the BERT special token {special}.");
        string? cased = vocab.FirstOrDefault(
            t => !SpecialTokens.Contains(t) && t.Any(ch => char.ToLowerInvariant(ch) != ch));
        if (facts.DoLowerCase && cased is not null)
            throw new InvalidDataException(
                $"The model facts say the tokenizer lower-cases, but vocab.txt has the cased token '{cased}'.");
        if (facts.Pooling is not ("mean" or "cls"))
            throw new ArgumentException($"Pooling '{facts.Pooling}' is not supported; use \"mean\" or \"cls\".");
        if (facts.SimilarityFnName is not ("cosine" or "dot" or "euclidean" or "manhattan"))
            throw new ArgumentException(
                $"similarity_fn_name '{facts.SimilarityFnName}' is not one of cosine, dot, euclidean, manhattan.");
        if (facts.MaxSeqLength <= 2 || facts.MaxSeqLength > config.MaxPositionEmbeddings)
            throw new ArgumentException(
                $"max_seq_length {facts.MaxSeqLength} must be in 3..{config.MaxPositionEmbeddings} " +
                "(the graph's position-embedding rows).");
        if (facts.DefaultPromptName is { } prompt && !facts.Prompts.ContainsKey(prompt))
            throw new ArgumentException($"default_prompt_name '{prompt}' is not one of the prompts.");
    }

    private static JsonObject BertConfigJson(BertGraphConfig config, int padTokenId) => new()
    {
        ["architectures"] = new JsonArray("BertModel"),
        ["model_type"] = "bert",
        ["vocab_size"] = config.VocabSize,
        ["hidden_size"] = config.HiddenSize,
        ["num_hidden_layers"] = config.NumHiddenLayers,
        ["num_attention_heads"] = config.NumAttentionHeads,
        ["intermediate_size"] = config.IntermediateSize,
        ["hidden_act"] = config.HiddenAct,
        ["max_position_embeddings"] = config.MaxPositionEmbeddings,
        ["type_vocab_size"] = config.TypeVocabSize,
        ["layer_norm_eps"] = config.LayerNormEps,
        ["pad_token_id"] = padTokenId,
        ["position_embedding_type"] = "absolute",
        // Dropout is absent from inference graphs; 0.1 / 0.02 are what both upstream configs and BertConfig state.
        ["hidden_dropout_prob"] = 0.1,
        ["attention_probs_dropout_prob"] = 0.1,
        ["initializer_range"] = 0.02,
        ["classifier_dropout"] = null,
        ["use_cache"] = true,
        ["torch_dtype"] = "float32",
    };

    private static JsonObject TokenizerConfigJson(SentenceModelFacts facts) => new()
    {
        ["tokenizer_class"] = "BertTokenizer",
        ["do_lower_case"] = facts.DoLowerCase,
        ["do_basic_tokenize"] = true,
        ["tokenize_chinese_chars"] = true,
        ["strip_accents"] = null,
        ["model_max_length"] = facts.TokenizerModelMaxLength,
        ["unk_token"] = "[UNK]",
        ["sep_token"] = "[SEP]",
        ["pad_token"] = "[PAD]",
        ["cls_token"] = "[CLS]",
        ["mask_token"] = "[MASK]",
        ["clean_up_tokenization_spaces"] = true,
    };

    private static JsonObject SpecialTokensJson() => new()
    {
        ["unk_token"] = "[UNK]",
        ["sep_token"] = "[SEP]",
        ["pad_token"] = "[PAD]",
        ["cls_token"] = "[CLS]",
        ["mask_token"] = "[MASK]",
    };

    private static JsonArray ModulesJson(bool normalize)
    {
        var modules = new JsonArray
        {
            Module(0, "", "sentence_transformers.models.Transformer"),
            Module(1, "1_Pooling", "sentence_transformers.models.Pooling"),
        };
        if (normalize) modules.Add(Module(2, "2_Normalize", "sentence_transformers.models.Normalize"));
        return modules;

        static JsonObject Module(int index, string path, string type) => new()
        {
            ["idx"] = index,
            ["name"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["path"] = path,
            ["type"] = type,
        };
    }

    private static JsonObject PoolingJson(int dimension, string pooling) => new()
    {
        ["word_embedding_dimension"] = dimension,
        ["pooling_mode_cls_token"] = pooling == "cls",
        ["pooling_mode_mean_tokens"] = pooling == "mean",
        ["pooling_mode_max_tokens"] = false,
        ["pooling_mode_mean_sqrt_len_tokens"] = false,
        ["pooling_mode_weightedmean_tokens"] = false,
        ["pooling_mode_lasttoken"] = false,
        ["include_prompt"] = true,
    };

    private static void WriteJson(string directory, string fileName, JsonNode node) =>
        File.WriteAllText(Path.Combine(directory, fileName), node.ToJsonString(Indented) + "\n");
}
