using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using StTrain.Core.Data;
using StTrain.Core.Models.Bert;
using StTrain.Core.Models.IO;
using StTrain.Core.Models.Tokenization;
using StTrain.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StTrain.Core.Models;

/// <summary>
/// A reranker: BERT reads "[CLS] query [SEP] document [SEP]" (token types 0 then 1), and a classification head on the
/// pooler output, classifier(dropout(tanh(W·h_CLS + b))), gives one logit per label. Loads and saves the folder
/// layout of a Hugging Face BertForSequenceClassification checkpoint as Python sentence-transformers' CrossEncoder
/// writes it: config.json (architectures, id2label, and a "sentence_transformers" object naming the activation),
/// model.safetensors with "bert.*" and "classifier.*" keys, and the tokenizer files. This build scores pairs with it
/// (inference); it does not train one yet.
/// </summary>
public sealed class CrossEncoder : nn.Module<Features, Tensor>, IPairScorer
{
    /// <summary>The architecture written to config.json.</summary>
    public const string Architecture = "BertForSequenceClassification";

    /// <summary>activation_fn name of the logistic function, the default for one label.</summary>
    public const string Sigmoid = "torch.nn.modules.activation.Sigmoid";

    /// <summary>activation_fn name of "no activation", the default for several labels.</summary>
    public const string Identity = "torch.nn.modules.linear.Identity";

    /// <summary>activation_fn name of tanh.</summary>
    public const string Tanh = "torch.nn.modules.activation.Tanh";

    /// <summary>The version written to config.json's sentence_transformers object (as SentenceTransformer.Save).</summary>
    private const string SentenceTransformersVersion = "5.1.0";

    private static readonly string[] Activations = [Sigmoid, Identity, Tanh];

#pragma warning disable IDE1006 // Field names are the checkpoint's key prefixes ("bert.", "classifier.").
    private readonly BertModel bert;
    private readonly Dropout dropout;
    private readonly Linear classifier;
#pragma warning restore IDE1006
    private readonly string[] labels;
    private readonly List<string> warnings = [];
    private string activationFunction = Sigmoid;

    private CrossEncoder(BertModel encoder, WordPieceTokenizer tokenizer, IReadOnlyList<string> labels,
        int maxLength) : base(nameof(CrossEncoder))
    {
        if (!encoder.HasPooler)
            throw new ArgumentException(
                "A CrossEncoder reads BERT's pooler output, but this encoder has no pooler.", nameof(encoder));
        if (labels.Count < 1)
            throw new ArgumentException("A CrossEncoder needs at least one label (num_labels ≥ 1).", nameof(labels));
        bert = encoder;
        Tokenizer = tokenizer;
        this.labels = labels.ToArray();
        MaxLength = maxLength;
        var raw = encoder.Config.Raw;
        double dropoutProbability = raw["classifier_dropout"] is JsonValue v && v.TryGetValue(out double p)
            ? p
            : encoder.Config.HiddenDropoutProb;
        dropout = nn.Dropout(dropoutProbability);
        classifier = nn.Linear(encoder.Config.HiddenSize, labels.Count);
        ActivationFunction = DefaultActivation(labels.Count);
        Device = CPU;
        RegisterComponents();
    }

    public BertModel Encoder => bert;
    public WordPieceTokenizer Tokenizer { get; }

    /// <summary>Number of logits per pair (config.json's id2label size); rerankers have 1.</summary>
    public int NumLabels => labels.Length;

    /// <summary>The label names in id order (config.json's id2label).</summary>
    public IReadOnlyList<string> Labels => labels;

    /// <summary>Pairs are cut to this many tokens (longest side first), [CLS] and both [SEP] included.</summary>
    public int MaxLength { get; set; }

    /// <summary>
    /// The activation <see cref="Predict"/> applies to the logits, by its PyTorch class path (the value of
    /// config.json's sentence_transformers.activation_fn): <see cref="Sigmoid"/>, <see cref="Identity"/> or
    /// <see cref="Tanh"/>.
    /// </summary>
    public string ActivationFunction
    {
        get => activationFunction;
        set
        {
            if (!Activations.Contains(value))
                throw new ArgumentException(
                    $"CrossEncoder activation_fn '{value}' is not supported; use one of {string.Join(", ", Activations)}.",
                    nameof(value));
            activationFunction = value;
        }
    }

    public Device Device { get; private set; }

    /// <summary>The folder or id the model was loaded or built from.</summary>
    public string? Source { get; private init; }

    /// <summary>What loading had to work around (e.g. an activation it could not use), one sentence each.</summary>
    public IReadOnlyList<string> Warnings => warnings;

    /// <summary>sigmoid for one label, identity for several: the default when config.json names none.</summary>
    public static string DefaultActivation(int numLabels) => numLabels == 1 ? Sigmoid : Identity;

    public CrossEncoder MoveTo(Device device)
    {
        this.to(device);
        Device = device;
        return this;
    }

    /// <summary>Tokenizes pairs into one padded batch on the model's device.</summary>
    public Features Tokenize(IReadOnlyList<(string First, string Second)> pairs)
    {
        var features = Tokenizer.EncodePairs(pairs, MaxLength);
        return Device.type == DeviceType.CPU ? features : features.To(Device);
    }

    /// <summary>The logits [B, num_labels] of a tokenized batch (autograd as the caller sets it).</summary>
    public override Tensor forward(Features features)
    {
        var hidden = bert.forward(features[Features.InputIds], features[Features.AttentionMask],
            features[Features.TokenTypeIds]);
        return classifier.forward(dropout.forward(bert.Pool(hidden)));
    }

    /// <summary>
    /// One score per pair, in pair order, for a single-label model: the logit, passed through
    /// <see cref="ActivationFunction"/> when <paramref name="applyActivation"/> is set (as sentence-transformers'
    /// predict does by default).
    /// </summary>
    public float[] Predict(IReadOnlyList<(string First, string Second)> pairs, int batchSize = 32,
        bool applyActivation = true)
    {
        if (NumLabels != 1)
            throw new InvalidOperationException(
                $"This CrossEncoder has {NumLabels} labels ({string.Join(", ", labels)}), so each pair has " +
                $"{NumLabels} scores. Fix: call {nameof(PredictLabels)}, which returns one row per pair.");
        using var scope = NewDisposeScope();
        var scores = PredictToTensor(pairs, batchSize, applyActivation);
        return pairs.Count == 0 ? [] : scores.data<float>().ToArray();
    }

    /// <summary>
    /// One row of <see cref="NumLabels"/> scores per pair, in pair order; <paramref name="applySoftmax"/> turns each
    /// row of a multi-label model into probabilities after the activation.
    /// </summary>
    public float[][] PredictLabels(IReadOnlyList<(string First, string Second)> pairs, int batchSize = 32,
        bool applyActivation = true, bool applySoftmax = false)
    {
        using var scope = NewDisposeScope();
        var scores = PredictToTensor(pairs, batchSize, applyActivation, applySoftmax);
        if (pairs.Count == 0) return [];
        var flat = scores.data<float>().ToArray();
        var rows = new float[pairs.Count][];
        for (int r = 0; r < rows.Length; r++) rows[r] = flat.AsSpan(r * NumLabels, NumLabels).ToArray();
        return rows;
    }

    /// <summary>
    /// Scores without autograd, in eval mode, longest pairs first so each batch pads little; returns a CPU float32
    /// tensor [N, num_labels] in pair order.
    /// </summary>
    public Tensor PredictToTensor(IReadOnlyList<(string First, string Second)> pairs, int batchSize = 32,
        bool applyActivation = true, bool applySoftmax = false)
    {
        if (batchSize < 1) throw new ArgumentException($"batch_size must be at least 1 (got {batchSize}).");
        if (pairs.Count == 0) return zeros(0, NumLabels, dtype: ScalarType.Float32);

        bool wasTraining = training;
        eval();
        try
        {
            using var inference = inference_mode();
            var order = Enumerable.Range(0, pairs.Count)
                .OrderByDescending(i => pairs[i].First.Length + pairs[i].Second.Length).ToArray();
            var output = zeros(pairs.Count, NumLabels, dtype: ScalarType.Float32);
            for (int start = 0; start < order.Length; start += batchSize)
            {
                using var step = NewDisposeScope();
                var rows = order.Skip(start).Take(batchSize).ToArray();
                var scores = forward(Tokenize(rows.Select(i => pairs[i]).ToList()));
                if (applyActivation) scores = Activate(scores);
                if (applySoftmax && NumLabels > 1) scores = scores.softmax(1);
                output.index_copy_(0, tensor(rows.Select(i => (long)i).ToArray()),
                    scores.to(ScalarType.Float32).cpu());
            }
            return output;
        }
        finally
        {
            train(wasTraining);
        }
    }

    /// <summary><see cref="ActivationFunction"/> applied to logits.</summary>
    public Tensor Activate(Tensor logits) => activationFunction switch
    {
        Sigmoid => logits.sigmoid(),
        Tanh => logits.tanh(),
        _ => logits,
    };

    /// <summary>
    /// <see cref="IPairScorer"/> for hard-negative mining: the activated score of each (query, document) pair, as
    /// sentence-transformers' mine_hard_negatives gets them from predict.
    /// </summary>
    public IReadOnlyList<float> Score(IReadOnlyList<(string Query, string Document)> pairs, int batchSize)
    {
        if (NumLabels != 1)
            throw new InvalidOperationException(
                $"The CrossEncoder {Source ?? ""} has {NumLabels} labels, but rescoring needs one score per pair. " +
                "Fix: use a reranker with a single output (num_labels 1).");
        return Predict(pairs, batchSize);
    }

    /// <summary>
    /// A CrossEncoder with a new BERT encoder (initialised from torch's global generator, as
    /// <see cref="SentenceTransformer.CreateFromScratch"/>) and a head initialised from <paramref name="seed"/>.
    /// Used for training from scratch and for small test models.
    /// </summary>
    public static CrossEncoder CreateFromScratch(BertConfig config, WordPieceTokenizer tokenizer, int numLabels = 1,
        long seed = 0, int? maxLength = null)
    {
        TorchRuntime.Initialize();
        var encoder = new BertModel(config.WithPooler(true));
        var model = new CrossEncoder(encoder, tokenizer, DefaultLabels(numLabels),
            maxLength ?? Math.Min(config.MaxPositionEmbeddings, tokenizer.ModelMaxLength ?? int.MaxValue));
        model.InitializeHead(seed, reinitialize: []);
        return model;
    }

    /// <summary>
    /// Starts a reranker from a pretrained BERT encoder (a bundled id, a Hugging Face cache id or a folder, e.g. a
    /// SentenceTransformer such as sentence-transformers/all-MiniLM-L6-v2): its encoder weights and tokenizer, and a
    /// new classification head (and pooler, when the checkpoint has none) initialised from <paramref name="seed"/>
    /// as Hugging Face initialises them (normal(0, initializer_range) weights, zero biases). The head is untrained:
    /// its scores mean nothing until the model is trained. <paramref name="maxLength"/> defaults to the smaller of
    /// the tokenizer's model_max_length and max_position_embeddings, as sentence-transformers does.
    /// </summary>
    public static CrossEncoder FromEncoder(string idOrPath, int numLabels = 1, long seed = 0, int? maxLength = null,
        Device? device = null)
    {
        TorchRuntime.Initialize();
        string folder = ModelResolver.Resolve(idOrPath);
        string directory = ModelResolver.TransformerFolder(folder);
        string configPath = Path.Combine(directory, "config.json");
        if (!File.Exists(configPath))
            throw new FileNotFoundException(
                $"{directory} has no config.json, so it is not a BERT model folder. Fix: give a folder with " +
                "config.json, model.safetensors and vocab.txt, or a SentenceTransformer folder (modules.json).");
        var config = BertConfig.Load(configPath).WithPooler(true);
        if (IsSequenceClassification(config.Raw))
            throw new ArgumentException(
                $"{configPath}: {idOrPath} is already a sequence-classification model ({Architectures(config.Raw)}). " +
                $"Fix: load it with {nameof(CrossEncoder)}.{nameof(Load)} to keep its trained head.");

        var weights = BertCheckpoint.ReadWeights(directory);
        var encoder = new BertModel(config);
        IReadOnlyList<string> fresh;
        try
        {
            fresh = BertCheckpoint.CopyInto(encoder, weights, directory,
                name => name.StartsWith("pooler.", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var tensor in weights.Values) tensor.Dispose();
        }

        var tokenizer = WordPieceTokenizer.Load(directory);
        var model = new CrossEncoder(encoder, tokenizer, DefaultLabels(numLabels),
            maxLength ?? Math.Min(config.MaxPositionEmbeddings, tokenizer.ModelMaxLength ?? int.MaxValue))
        {
            Source = idOrPath,
        };
        model.InitializeHead(seed, fresh);
        model.MoveTo(device ?? TorchRuntime.DefaultDevice);
        model.eval();
        return model;
    }

    /// <summary>
    /// Loads a CrossEncoder folder by id or path (see <see cref="ModelResolver"/>): a BertForSequenceClassification
    /// checkpoint with its classifier weights. The activation is config.json's sentence_transformers.activation_fn
    /// (or the older top-level sbert_ce_default_activation_function), else sigmoid for one label and identity for
    /// several. A class path outside torch is not used (sentence-transformers only imports one when remote code is
    /// trusted); the default replaces it and <see cref="Warnings"/> says so.
    /// </summary>
    public static CrossEncoder Load(string idOrPath, Device? device = null)
    {
        TorchRuntime.Initialize();
        string folder = ModelResolver.Resolve(idOrPath);
        string configPath = Path.Combine(folder, "config.json");
        if (!File.Exists(configPath))
            throw new InvalidDataException(
                $"{folder} has no config.json, so it is not a CrossEncoder folder" +
                (File.Exists(Path.Combine(folder, "modules.json")) ? " (it has modules.json: a SentenceTransformer)" : "") +
                $". Fix: give a folder saved by a CrossEncoder ({Architecture} with classifier weights).");
        var config = BertConfig.Load(configPath).WithPooler(true);
        string notCrossEncoderFix =
            $"Fix: give a folder saved by sentence-transformers' CrossEncoder (architectures [\"{Architecture}\"] in " +
            "config.json, classifier.weight and classifier.bias in model.safetensors). A bi-encoder cannot rescore pairs: " +
            "a reranker needs a trained classification head, and this build cannot train CrossEncoders yet.";
        if (config.Raw["architectures"] is JsonArray && !IsSequenceClassification(config.Raw))
            throw new InvalidDataException(
                $"{configPath}: architectures is {Architectures(config.Raw)}, not a sequence-classification model, " +
                "so the folder is not a CrossEncoder" +
                (File.Exists(Path.Combine(folder, "modules.json")) ? " (its modules.json makes it a SentenceTransformer)" : "") +
                $". {notCrossEncoderFix}");

        var weights = BertCheckpoint.ReadWeights(folder);
        try
        {
            string weightsPath = Path.Combine(folder, BertCheckpoint.FileName);
            if (!weights.TryGetValue("classifier.weight", out var head) || !weights.ContainsKey("classifier.bias"))
                throw new InvalidDataException(
                    $"{weightsPath} has no classifier.weight and classifier.bias, so the folder is not a trained " +
                    $"CrossEncoder. {notCrossEncoderFix}");
            var labels = ReadLabels(config.Raw, configPath, head.shape[0]);
            var tokenizer = WordPieceTokenizer.Load(folder);
            var model = new CrossEncoder(new BertModel(config), tokenizer, labels,
                Math.Min(config.MaxPositionEmbeddings, tokenizer.ModelMaxLength ?? int.MaxValue))
            {
                Source = idOrPath,
            };
            BertCheckpoint.CopyInto(model.bert, weights, folder);
            model.CopyHead(weights, weightsPath);
            model.ActivationFunction = model.ReadActivation(config.Raw, configPath);
            model.MoveTo(device ?? TorchRuntime.DefaultDevice);
            model.eval();
            return model;
        }
        finally
        {
            foreach (var tensor in weights.Values) tensor.Dispose();
        }
    }

    /// <summary>
    /// Writes the folder layout sentence-transformers' CrossEncoder.save writes, so Python's
    /// CrossEncoder(directory) and AutoModelForSequenceClassification load it: model.safetensors ("bert.*",
    /// "classifier.weight", "classifier.bias"), config.json (architectures, id2label, label2id, and
    /// sentence_transformers with activation_fn and version) and the tokenizer files, whose model_max_length is
    /// <see cref="MaxLength"/>.
    /// </summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, parameter) in bert.named_parameters()) state["bert." + name] = parameter;
        foreach (var (name, parameter) in classifier.named_parameters()) state["classifier." + name] = parameter;
        SafeTensorsFile.Save(Path.Combine(directory, BertCheckpoint.FileName), state,
            new Dictionary<string, string> { ["format"] = "pt" });

        var config = bert.Config.ToJson();
        config["architectures"] = new JsonArray(Architecture);
        var id2label = new JsonObject();
        var label2id = new JsonObject();
        for (int i = 0; i < labels.Length; i++)
        {
            id2label[i.ToString(CultureInfo.InvariantCulture)] = labels[i];
            label2id[labels[i]] = i;
        }
        config["id2label"] = id2label;
        config["label2id"] = label2id;
        config.Remove("num_labels"); // Hugging Face derives it from id2label.
        config.Remove("sbert_ce_default_activation_function");
        var sentenceTransformers = config["sentence_transformers"] as JsonObject ?? new JsonObject();
        sentenceTransformers["activation_fn"] = activationFunction;
        sentenceTransformers["version"] = SentenceTransformersVersion;
        config["sentence_transformers"] = sentenceTransformers;
        var indented = new JsonSerializerOptions { WriteIndented = true };
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJsonString(indented));

        Tokenizer.Save(directory);
        string tokenizerConfig = Path.Combine(directory, "tokenizer_config.json");
        var tokenizerJson = StTrain.Core.Models.IO.ModelJson.Read(tokenizerConfig)!.AsObject();
        tokenizerJson["model_max_length"] = MaxLength;
        File.WriteAllText(tokenizerConfig, tokenizerJson.ToJsonString(indented));
    }

    private static string[] DefaultLabels(int numLabels)
    {
        if (numLabels < 1)
            throw new ArgumentException($"num_labels must be at least 1 (got {numLabels}).", nameof(numLabels));
        return Enumerable.Range(0, numLabels).Select(i => $"LABEL_{i}").ToArray();
    }

    /// <summary>
    /// Normal(0, initializer_range) weights and zero biases for the classifier and for the encoder parameters named
    /// in <paramref name="reinitialize"/>, drawn from a generator seeded with <paramref name="seed"/>.
    /// </summary>
    private void InitializeHead(long seed, IReadOnlyList<string> reinitialize)
    {
        double std = bert.Config.Raw["initializer_range"] is JsonValue v && v.TryGetValue(out double range)
            ? range
            : 0.02;
        using var generator = new Generator(unchecked((ulong)seed));
        using var noGrad = no_grad();
        var encoderParameters = bert.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var targets = reinitialize.Select(name => (name, encoderParameters[name]))
            .Concat(classifier.named_parameters().Select(p => ("classifier." + p.name, p.parameter)));
        foreach (var (name, parameter) in targets)
        {
            // randn, not nn.init.normal_: TorchSharp 0.107's normal_ ignores the generator it is given.
            if (name.EndsWith(".bias", StringComparison.Ordinal)) parameter.zero_();
            else parameter.copy_(randn(parameter.shape, dtype: parameter.dtype, generator: generator) * std);
        }
    }

    private void CopyHead(IReadOnlyDictionary<string, Tensor> weights, string weightsPath)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in classifier.named_parameters())
        {
            var source = weights["classifier." + name];
            if (!source.shape.SequenceEqual(parameter.shape))
                throw new InvalidDataException(
                    $"{weightsPath}: 'classifier.{name}' has shape [{string.Join(", ", source.shape)}] but config.json " +
                    $"({NumLabels} labels, hidden_size {bert.Config.HiddenSize}) implies " +
                    $"[{string.Join(", ", parameter.shape)}]. Fix: make id2label list one label per classifier row.");
            parameter.copy_(source.to(parameter.dtype));
        }
    }

    /// <summary>Labels from id2label (ids 0..n-1), else num_labels, else the classifier's row count.</summary>
    private static string[] ReadLabels(JsonObject config, string configPath, long classifierRows)
    {
        if (config["id2label"] is JsonObject id2label && id2label.Count > 0)
        {
            var result = new string[id2label.Count];
            foreach (var (key, value) in id2label)
            {
                if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int id)
                    || id >= result.Length || result[id] is not null)
                    throw new InvalidDataException(
                        $"{configPath}: id2label key '{key}' is not one of the ids 0..{result.Length - 1}. Fix: number " +
                        "the labels 0, 1, ... without gaps.");
                result[id] = value?.ToString() ?? $"LABEL_{id}";
            }
            return result;
        }
        if (config["num_labels"] is JsonValue n && n.TryGetValue(out int count) && count >= 1)
            return DefaultLabels(count);
        return DefaultLabels((int)classifierRows);
    }

    private string ReadActivation(JsonObject config, string configPath)
    {
        string? path = config["sentence_transformers"] is JsonObject st && st["activation_fn"] is JsonValue a
                       && a.TryGetValue(out string? name)
            ? name
            : config["sbert_ce_default_activation_function"] is JsonValue legacy
              && legacy.TryGetValue(out string? old)
                ? old
                : null;
        if (path is null) return DefaultActivation(NumLabels);
        if (!path.StartsWith("torch.", StringComparison.Ordinal))
        {
            warnings.Add($"{configPath}: activation_fn '{path}' is not a torch class, and st-train runs no model " +
                         $"code, so the default {DefaultActivation(NumLabels)} is used instead.");
            return DefaultActivation(NumLabels);
        }
        // torch.nn.Sigmoid and torch.nn.modules.activation.Sigmoid name the same class.
        string className = path[(path.LastIndexOf('.') + 1)..];
        return Activations.FirstOrDefault(known => known.EndsWith("." + className, StringComparison.Ordinal))
               ?? throw new NotSupportedException(
                   $"{configPath}: sentence_transformers.activation_fn '{path}' is not supported; st-train applies " +
                   $"{string.Join(", ", Activations)}. Fix: set activation_fn to one of them (Identity returns the " +
                   "raw logits).");
    }

    private static bool IsSequenceClassification(JsonObject config) =>
        config["architectures"] is JsonArray names && names.Any(n =>
            n is JsonValue v && v.TryGetValue(out string? name)
                             && name.EndsWith("ForSequenceClassification", StringComparison.Ordinal));

    private static string Architectures(JsonObject config) =>
        config["architectures"]?.ToJsonString() ?? "missing";
}
