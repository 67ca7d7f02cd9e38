using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace StTrain.Core.Models.Modules;

/// <summary>
/// Turns token embeddings into one sentence embedding. Modes (any combination, concatenated in this order):
/// cls, max, mean, mean_sqrt_len, weightedmean, lasttoken. Saved as {folder}/config.json.
/// </summary>
public sealed class Pooling : PipelineModule
{
    public int WordEmbeddingDimension { get; }
    public bool ClsToken { get; init; }
    public bool MaxTokens { get; init; }
    public bool MeanTokens { get; init; }
    public bool MeanSqrtLenTokens { get; init; }
    public bool WeightedMeanTokens { get; init; }
    public bool LastToken { get; init; }

    /// <summary>When false, prompt tokens ("prompt_length" feature) are left out of the pooled average.</summary>
    public bool IncludePrompt { get; init; } = true;

    public static readonly string[] ModeNames =
        ["mean", "cls", "max", "mean_sqrt_len_tokens", "weightedmean", "lasttoken"];

    public Pooling(int wordEmbeddingDimension) : base(nameof(Pooling))
    {
        WordEmbeddingDimension = wordEmbeddingDimension;
    }

    /// <summary>A pooling stage with a single mode, by its sentence-transformers name.</summary>
    public static Pooling FromMode(int dimension, string mode) => mode switch
    {
        "mean" => new Pooling(dimension) { MeanTokens = true },
        "cls" => new Pooling(dimension) { ClsToken = true },
        "max" => new Pooling(dimension) { MaxTokens = true },
        "mean_sqrt_len_tokens" => new Pooling(dimension) { MeanSqrtLenTokens = true },
        "weightedmean" => new Pooling(dimension) { WeightedMeanTokens = true },
        "lasttoken" => new Pooling(dimension) { LastToken = true },
        _ => throw new ArgumentException(
            $"Unknown pooling mode '{mode}'; use one of: {string.Join(", ", ModeNames)}.", nameof(mode)),
    };

    public override string TypeName => "sentence_transformers.models.Pooling";

    public override string DefaultFolderName(int index) => $"{index}_Pooling";

    public int OutputDimension =>
        WordEmbeddingDimension *
        new[] { ClsToken, MaxTokens, MeanTokens, MeanSqrtLenTokens, WeightedMeanTokens, LastToken }.Count(on => on);

    public override Features forward(Features features)
    {
        var tokens = features[Features.TokenEmbeddings];
        var mask = features[Features.AttentionMask];
        if (!IncludePrompt && features.TryGetValue(Features.PromptLength, out var promptLength))
        {
            long length = promptLength.item<long>();
            mask = mask.clone();
            mask.narrow(1, 0, Math.Min(length, mask.shape[1])).fill_(0);
        }
        var expanded = mask.unsqueeze(-1).to(tokens.dtype);
        var parts = new List<Tensor>();

        if (ClsToken) parts.Add(tokens.select(1, 0));
        if (MaxTokens)
            parts.Add(tokens.masked_fill(expanded.eq(0), float.MinValue).max(1).values);
        if (MeanTokens || MeanSqrtLenTokens)
        {
            var summed = (tokens * expanded).sum(1);
            var counts = expanded.sum(1).clamp_min(1e-9);
            if (MeanTokens) parts.Add(summed / counts);
            if (MeanSqrtLenTokens) parts.Add(summed / counts.sqrt());
        }
        if (WeightedMeanTokens)
        {
            // Position i (1-based) weighs i: later tokens count more, as used by decoder-style embedders.
            var weights = arange(1, tokens.shape[1] + 1, dtype: tokens.dtype, device: tokens.device)
                .view(1, -1, 1) * expanded;
            parts.Add((tokens * weights).sum(1) / weights.sum(1).clamp_min(1e-9));
        }
        if (LastToken)
        {
            var last = (mask.sum(1) - 1).clamp_min(0).to(ScalarType.Int64);
            parts.Add(tokens[arange(tokens.shape[0], device: tokens.device), last]);
        }

        return new Features(features)
        {
            [Features.SentenceEmbedding] = parts.Count == 1 ? parts[0] : cat(parts, 1),
        };
    }

    public static Pooling Load(string directory)
    {
        string path = Path.Combine(directory, "config.json");
        var json = StTrain.Core.Models.IO.ModelJson.Read(path)
            ?? throw new InvalidDataException($"{path} is empty.");
        bool Flag(string key) => json[key]?.GetValue<bool>() ?? false;
        var pooling = new Pooling(json["word_embedding_dimension"]?.GetValue<int>()
            ?? throw new InvalidDataException($"{path} lacks word_embedding_dimension."))
        {
            ClsToken = Flag("pooling_mode_cls_token"),
            MaxTokens = Flag("pooling_mode_max_tokens"),
            MeanTokens = Flag("pooling_mode_mean_tokens"),
            MeanSqrtLenTokens = Flag("pooling_mode_mean_sqrt_len_tokens"),
            WeightedMeanTokens = Flag("pooling_mode_weightedmean_tokens"),
            LastToken = Flag("pooling_mode_lasttoken"),
            IncludePrompt = json["include_prompt"]?.GetValue<bool>() ?? true,
        };
        if (pooling.OutputDimension == 0)
            throw new InvalidDataException($"{path} enables no pooling mode; set e.g. pooling_mode_mean_tokens: true.");
        return pooling;
    }

    public override void Save(string directory)
    {
        var json = new JsonObject
        {
            ["word_embedding_dimension"] = WordEmbeddingDimension,
            ["pooling_mode_cls_token"] = ClsToken,
            ["pooling_mode_mean_tokens"] = MeanTokens,
            ["pooling_mode_max_tokens"] = MaxTokens,
            ["pooling_mode_mean_sqrt_len_tokens"] = MeanSqrtLenTokens,
            ["pooling_mode_weightedmean_tokens"] = WeightedMeanTokens,
            ["pooling_mode_lasttoken"] = LastToken,
            ["include_prompt"] = IncludePrompt,
        };
        File.WriteAllText(Path.Combine(directory, "config.json"),
            json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
