using System.Text.Json;
using System.Text.Json.Nodes;
using StTrain.Core.Models.Modules;
using StTrain.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using Transformer = StTrain.Core.Models.Modules.Transformer;

namespace StTrain.Core.Models;

/// <summary>
/// A bi-encoder: a modules.json pipeline (Transformer → Pooling → [Dense…] → [Normalize]) that maps each text
/// to one dense vector. Loads and saves the folder layout of Python sentence-transformers.
/// </summary>
public sealed class SentenceTransformer : nn.Module<Features, Features>
{
    // Registered under "0", "1", … so state-dict keys match Python's ("0.auto_model.embeddings…").
    private readonly List<PipelineModule> stages;
    private readonly Dictionary<string, string> prompts;

    public Transformer Transformer { get; }
    public IReadOnlyList<PipelineModule> Pipeline => stages;
    public IReadOnlyDictionary<string, string> Prompts => prompts;
    public string? DefaultPromptName { get; set; }
    public string SimilarityFunctionName { get; set; } = "cosine";
    public Device Device { get; private set; }

    /// <summary>The folder or id the model was loaded from (written to model cards as base_model).</summary>
    public string? Source { get; init; }

    public SentenceTransformer(IReadOnlyList<PipelineModule> pipeline,
        IReadOnlyDictionary<string, string>? prompts = null)
        : base(nameof(SentenceTransformer))
    {
        if (pipeline.Count == 0 || pipeline[0] is not Transformer transformer)
            throw new ArgumentException(
                "A sentence-transformers pipeline starts with a Transformer module.", nameof(pipeline));
        Transformer = transformer;
        stages = pipeline.ToList();
        for (int i = 0; i < stages.Count; i++)
            register_module(i.ToString(System.Globalization.CultureInfo.InvariantCulture), stages[i]);
        this.prompts = new Dictionary<string, string>(
            prompts ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        Device = CPU;
    }

    /// <summary>Tokens per text; at most the model's max_position_embeddings (the setter refuses more).</summary>
    public int MaxSeqLength
    {
        get => Transformer.MaxSeqLength;
        set => Transformer.MaxSeqLength = value;
    }

    /// <summary>What loading had to adjust, one sentence each; callers print or log them.</summary>
    public IReadOnlyList<string> Warnings => Transformer.Warnings;

    /// <summary>Length of the vectors <see cref="Encode"/> returns.</summary>
    public int EmbeddingDimension
    {
        get
        {
            int dimension = Transformer.HiddenSize;
            foreach (var module in stages)
            {
                if (module is Pooling pooling) dimension = pooling.OutputDimension;
                else if (module is Dense dense) dimension = dense.OutFeatures;
            }
            return dimension;
        }
    }

    public bool NormalizesEmbeddings => stages.Any(m => m is Normalize);

    public void SetPrompt(string name, string prompt) => prompts[name] = prompt;

    /// <summary>Moves the model to <paramref name="device"/> and remembers it for tokenized batches.</summary>
    public SentenceTransformer MoveTo(Device device)
    {
        this.to(device);
        Device = device;
        return this;
    }

    /// <summary>Tokenizes texts into a batch on the model's device.</summary>
    public Features Tokenize(IReadOnlyList<string> texts)
    {
        var features = Transformer.Tokenize(texts);
        return Device.type == DeviceType.CPU ? features : features.To(Device);
    }

    public override Features forward(Features features)
    {
        foreach (var module in stages) features = module.forward(features);
        return features;
    }

    /// <summary>Sentence embeddings [B, D] of <paramref name="texts"/> with autograd on (for losses).</summary>
    public Tensor EmbedForTraining(IReadOnlyList<string> texts) =>
        forward(Tokenize(texts))[Features.SentenceEmbedding];

    /// <summary>
    /// The prompt text that <paramref name="options"/> asks for: a literal prompt, a named one, or the model's
    /// default prompt; null when none applies.
    /// </summary>
    public string? ResolvePrompt(EncodeOptions options)
    {
        if (options.Prompt is not null) return options.Prompt;
        string? name = options.PromptName ?? DefaultPromptName;
        if (name is null) return null;
        if (prompts.TryGetValue(name, out string? prompt)) return prompt;
        throw new ArgumentException(
            $"prompt_name '{name}' is not one of this model's prompts " +
            $"({(prompts.Count == 0 ? "it has none" : string.Join(", ", prompts.Keys))}).");
    }

    /// <summary>
    /// Embeds <paramref name="texts"/> for inference, returning one float array per text in input order.
    /// </summary>
    public float[][] Encode(IReadOnlyList<string> texts, EncodeOptions? options = null)
    {
        using var scope = NewDisposeScope();
        var embeddings = EncodeToTensor(texts, options);
        int rows = (int)embeddings.shape[0], width = (int)embeddings.shape[1];
        if (rows == 0) return [];
        var flat = embeddings.data<float>().ToArray();
        var result = new float[rows][];
        for (int r = 0; r < rows; r++) result[r] = flat.AsSpan(r * width, width).ToArray();
        return result;
    }

    /// <summary>
    /// Embeds <paramref name="texts"/> without autograd: sorted by length so each batch pads little, in eval mode,
    /// with the optional prompt, normalisation and Matryoshka truncation. Returns a CPU float32 tensor [N, D] in input
    /// order.
    /// </summary>
    public Tensor EncodeToTensor(IReadOnlyList<string> texts, EncodeOptions? options = null)
    {
        options ??= new EncodeOptions();
        if (options.BatchSize < 1)
            throw new ArgumentException($"batch_size must be at least 1 (got {options.BatchSize}).");
        string? prompt = ResolvePrompt(options);
        var inputs = prompt is null ? texts : texts.Select(t => prompt + t).ToList();
        long promptLength = prompt is null ? 0 : Transformer.Tokenizer.CountTokens(prompt) - 1;

        if (inputs.Count == 0)
            return zeros(0, options.TruncateDim ?? EmbeddingDimension, dtype: ScalarType.Float32);

        bool wasTraining = training;
        eval();
        try
        {
            using var inference = inference_mode();
            var order = Enumerable.Range(0, inputs.Count).OrderByDescending(i => inputs[i].Length).ToArray();
            var output = zeros(inputs.Count, EmbeddingDimension, dtype: ScalarType.Float32);
            for (int start = 0; start < order.Length; start += options.BatchSize)
            {
                using var step = NewDisposeScope();
                var rows = order.Skip(start).Take(options.BatchSize).ToArray();
                var batch = Tokenize(rows.Select(i => inputs[i]).ToList());
                if (promptLength > 0) batch[Features.PromptLength] = tensor(promptLength);
                var embedded = forward(batch)[Features.SentenceEmbedding].to(ScalarType.Float32).cpu();
                output.index_copy_(0, tensor(rows.Select(i => (long)i).ToArray()), embedded);
            }

            if (options.TruncateDim is { } dim)
            {
                if (dim < 1 || dim > output.shape[1])
                    throw new ArgumentException(
                        $"truncate_dim {dim} is out of range; " +
                        $"this model's embeddings have {output.shape[1]} dimensions.");
                output = output.narrow(1, 0, dim).contiguous();
                if (NormalizesEmbeddings && !options.Normalize) return output;
            }
            return options.Normalize ? nn.functional.normalize(output, p: 2, dim: 1) : output;
        }
        finally
        {
            train(wasTraining);
        }
    }

    /// <summary>
    /// A randomly initialised model: BERT with <paramref name="config"/>, the given pooling mode and optional
    /// normalisation. Used for training from scratch and for small test models.
    /// </summary>
    public static SentenceTransformer CreateFromScratch(Bert.BertConfig config,
        Tokenization.WordPieceTokenizer tokenizer, string poolingMode = "mean", bool normalize = false,
        int? maxSeqLength = null)
    {
        TorchRuntime.Initialize();
        var transformer = new Transformer(new Bert.BertModel(config), tokenizer,
            maxSeqLength ?? config.MaxPositionEmbeddings);
        var pipeline = new List<PipelineModule> { transformer, Pooling.FromMode(config.HiddenSize, poolingMode) };
        if (normalize) pipeline.Add(new Normalize());
        return new SentenceTransformer(pipeline);
    }

    /// <summary>Loads a model by id or path (see <see cref="ModelResolver"/>) onto <paramref name="device"/>.</summary>
    public static SentenceTransformer Load(string idOrPath, Device? device = null)
    {
        TorchRuntime.Initialize();
        string folder = ModelResolver.Resolve(idOrPath);
        var pipeline = new List<PipelineModule>();

        string modulesPath = Path.Combine(folder, "modules.json");
        if (File.Exists(modulesPath))
        {
            var entries = StTrain.Core.Models.IO.ModelJson.Read(modulesPath) as JsonArray
                ?? throw new InvalidDataException($"{modulesPath} does not hold a JSON array.");
            foreach (var entry in entries)
            {
                string type = entry?["type"]?.GetValue<string>() ?? "";
                string sub = Path.Combine(folder, entry?["path"]?.GetValue<string>() ?? "");
                pipeline.Add(type.Split('.')[^1] switch
                {
                    "Transformer" => Transformer.Load(sub),
                    "Pooling" => Pooling.Load(sub),
                    "Normalize" => new Normalize(),
                    "Dense" => Dense.Load(sub),
                    _ => throw new NotSupportedException(
                        $"{modulesPath}: module type '{type}' is not supported (Transformer, Pooling, Dense and " +
                        "Normalize are)."),
                });
            }
        }
        else
        {
            // A bare transformer checkpoint: add mean pooling, as sentence-transformers does for such folders.
            var transformer = Transformer.Load(folder);
            transformer.Warn($"{folder} has no modules.json, so it is read as a plain transformer with mean " +
                             "pooling added" + (IsClassifierCheckpoint(folder)
                                 ? "; its config.json names a sequence-classification model (a CrossEncoder?), whose " +
                                   "classification head is ignored here"
                                 : "") + ".");
            pipeline.Add(transformer);
            pipeline.Add(Pooling.FromMode(transformer.HiddenSize, "mean"));
        }

        var model = new SentenceTransformer(pipeline) { Source = idOrPath };
        model.ReadSentenceTransformersConfig(folder);
        model.MoveTo(device ?? TorchRuntime.DefaultDevice);
        model.eval();
        return model;
    }

    private void ReadSentenceTransformersConfig(string folder)
    {
        string path = Path.Combine(folder, "config_sentence_transformers.json");
        if (!File.Exists(path)) return;
        var json = StTrain.Core.Models.IO.ModelJson.Read(path);
        if (json?["prompts"] is JsonObject map)
            foreach (var (name, value) in map)
                if (value is not null) prompts[name] = value.GetValue<string>();
        DefaultPromptName = json?["default_prompt_name"]?.GetValue<string>();
        SimilarityFunctionName = json?["similarity_fn_name"]?.GetValue<string>() ?? "cosine";
    }

    /// <summary>
    /// Writes the folder layout Python sentence-transformers writes: modules.json, config_sentence_transformers.json,
    /// the transformer files at the root and one sub-folder per later module.
    /// </summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var entries = new JsonArray();
        for (int i = 0; i < stages.Count; i++)
        {
            string folderName = stages[i].DefaultFolderName(i);
            string target = Path.Combine(directory, folderName);
            Directory.CreateDirectory(target);
            stages[i].Save(target);
            entries.Add(new JsonObject
            {
                ["idx"] = i,
                ["name"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["path"] = folderName,
                ["type"] = stages[i].TypeName,
            });
        }

        var indented = new JsonSerializerOptions { WriteIndented = true };
        File.WriteAllText(Path.Combine(directory, "modules.json"), entries.ToJsonString(indented));
        var promptsJson = new JsonObject();
        foreach (var (name, text) in prompts) promptsJson[name] = text;
        var config = new JsonObject
        {
            ["__version__"] = new JsonObject
            {
                ["sentence_transformers"] = "5.1.0",
                ["transformers"] = "4.56.0",
                ["pytorch"] = "2.10.0",
            },
            ["model_type"] = "SentenceTransformer",
            ["prompts"] = promptsJson,
            ["default_prompt_name"] = DefaultPromptName,
            ["similarity_fn_name"] = SimilarityFunctionName,
        };
        File.WriteAllText(Path.Combine(directory, "config_sentence_transformers.json"), config.ToJsonString(indented));
    }

    private static bool IsClassifierCheckpoint(string folder)
    {
        string config = Path.Combine(folder, "config.json");
        try
        {
            return File.Exists(config)
                   && StTrain.Core.Models.IO.ModelJson.Read(config)?["architectures"] is JsonArray names
                   && names.Any(n => n?.ToString().EndsWith("ForSequenceClassification", StringComparison.Ordinal) == true);
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }
}
