using System.Diagnostics;
using System.Globalization;
using StTrain.Core.Losses;
using StTrain.Core.Models;
using StTrain.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Server.Commands;

/// <summary>
/// <c>st-train bench train</c>: training throughput of a real model on synthetic (anchor, positive) pairs of an exact
/// token length, with MultipleNegativesRankingLoss and AdamW as a run would use them, plus the model FLOPs per step
/// and the model-FLOPs utilisation against a float32 matmul timed in the same process.
/// </summary>
public static class BenchCommand
{
    public const string TrainUsage =
        "st-train bench train [--model ID] [--batch-size 32] [--seq-len 32] [--steps 10] [--warmup 2] " +
        "[--matmul-size 1024]";

    private const string DefaultModel = "sentence-transformers/all-MiniLM-L6-v2";

    // Common words; in a BERT uncased vocabulary each is one token, and in any other vocabulary it is still one
    // token ([UNK]) or a few word pieces, which the text builder accounts for.
    private static readonly string[] Words =
    [
        "the", "a", "river", "city", "music", "night", "house", "water", "people", "light", "small", "green", "old",
        "road", "book", "tree", "song", "friend", "morning", "window", "garden", "market", "story", "train", "bridge",
        "teacher", "school", "summer", "winter", "mountain", "village", "street", "paper", "table", "family", "game",
    ];

    /// <summary>Runs the benchmark; <paramref name="args"/> follow "bench" (a leading "train" is skipped).</summary>
    public static int RunTrain(string[] args) => RunTrain(args, Console.Out);

    public static int RunTrain(string[] args, TextWriter output)
    {
        if (args.Length > 0 && args[0] == "train") args = args[1..];
        var cli = new CommandLine(args);
        var settings = new Settings(
            cli.Get("model") ?? DefaultModel,
            cli.GetInt("batch-size", 32),
            cli.GetInt("seq-len", 32),
            cli.GetInt("steps", 10),
            NonNegative(cli, "warmup", 2),
            cli.GetInt("matmul-size", 1024));
        cli.RejectUnknown();
        if (cli.Positional.Count > 0)
            throw new UsageException($"unexpected argument '{cli.Positional[0]}'. Usage: {TrainUsage}");
        if (settings.SeqLen < 3)
            throw new UsageException("--seq-len must be at least 3 ([CLS], one word, [SEP]).");

        TorchRuntime.Initialize();
        Benchmark(settings, output);
        return 0;
    }

    private sealed record Settings(string Model, int BatchSize, int SeqLen, int Steps, int Warmup, int MatmulSize);

    private static int NonNegative(CommandLine cli, string name, int fallback)
    {
        string? text = cli.Get(name);
        if (text is null) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= 0
            ? value
            : throw new UsageException($"--{name} '{text}' is not a whole number of 0 or more.");
    }

    private static void Benchmark(Settings s, TextWriter output)
    {
        using var model = CommandModels.LoadSentenceTransformer(s.Model);
        var config = model.Transformer.Encoder.Config;
        if (s.SeqLen > config.MaxPositionEmbeddings)
            throw new UsageException(
                $"--seq-len {s.SeqLen} is longer than {s.Model} can read ({config.MaxPositionEmbeddings} positions).");
        model.MaxSeqLength = s.SeqLen;

        var random = new Random(20240607);
        var tokenizer = model.Transformer.Tokenizer;
        var anchors = Enumerable.Range(0, s.BatchSize).Select(_ => Text(tokenizer, s.SeqLen, random)).ToList();
        var positives = Enumerable.Range(0, s.BatchSize).Select(_ => Text(tokenizer, s.SeqLen, random)).ToList();
        // Tokenised once, outside the timed steps: the figures are the model's, not the tokenizer's.
        var inputs = new List<Features> { model.Tokenize(anchors), model.Tokenize(positives) };
        long tokensPerStep = inputs.Sum(f => f[Features.AttentionMask].sum().item<long>());
        long paddedLength = inputs.Max(f => f[Features.InputIds].shape[1]);

        // N: the transformer layers (attention, feed-forward, their LayerNorms); the token, position and type
        // embeddings (lookups, no matmul), the embedding LayerNorm and the unused BERT pooler are left out.
        long nonEmbedding = model.Transformer.Encoder.named_parameters()
            .Where(p => !p.name.StartsWith("embeddings.", StringComparison.Ordinal) &&
                        !p.name.StartsWith("pooler.", StringComparison.Ordinal))
            .Sum(p => p.parameter.numel());
        // Training FLOPs per step = 6·N·T + 12·L·d·S·T: 2 FLOPs per weight per token forward and 4 backward, plus
        // the attention products QKᵀ and AV (2·S·d each per token per layer forward, x3 with backward).
        double flopsPerStep = 6.0 * nonEmbedding * tokensPerStep +
                              12.0 * config.NumHiddenLayers * config.HiddenSize * paddedLength * tokensPerStep;

        using var loss = LossRegistry.Create(nameof(MultipleNegativesRankingLoss), model,
            new LossParameters(new Dictionary<string, object?> { ["scale"] = 20.0, ["similarity_fct"] = "cosine" }));
        var parameters = model.parameters().ToList();
        var optimizer = optim.AdamW(parameters, lr: 2e-5, weight_decay: 0.01);
        model.train();
        var stepSeconds = new List<double>();
        var matmulRates = new List<double>();
        double lastLoss = double.NaN;
        for (int step = 0; step < s.Warmup + s.Steps; step++)
        {
            var watch = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                var value = loss.Compute(inputs, null);
                value.backward();
                nn.utils.clip_grad_norm_(parameters, 1.0);
                optimizer.step();
                optimizer.zero_grad();
                lastLoss = value.item<float>();
            }
            if (step < s.Warmup) continue;
            stepSeconds.Add(watch.Elapsed.TotalSeconds);
            // The reference matmul is timed between the steps, so both see the same machine load.
            matmulRates.Add(MatmulFlopsPerSecond(s.MatmulSize));
        }
        foreach (var features in inputs) features.Dispose();

        double meanStep = stepSeconds.Average();
        double achieved = flopsPerStep / meanStep;
        double matmul = matmulRates.Average();
        double mfu = achieved / matmul;
        string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
        string E(double v) => v.ToString("0.000e+00", CultureInfo.InvariantCulture);

        output.WriteLine($"bench train: {s.Model}, MultipleNegativesRankingLoss (scale 20, cosine), AdamW (lr 2e-5), " +
                         $"{s.BatchSize} pairs x {s.SeqLen} tokens, {s.Steps} timed steps after {s.Warmup} warmup, " +
                         $"{get_num_threads()} threads");
        output.WriteLine($"layers={config.NumHiddenLayers} hidden={config.HiddenSize} " +
                         $"non_embedding_parameters={nonEmbedding}");
        output.WriteLine($"tokens_per_step={tokensPerStep}");
        string Seconds(double v) => v.ToString("0.000000", CultureInfo.InvariantCulture);
        output.WriteLine($"step_seconds_mean={Seconds(meanStep)} step_seconds_min={Seconds(stepSeconds.Min())} " +
                         $"step_seconds_max={Seconds(stepSeconds.Max())} last_loss={F(lastLoss)}");
        output.WriteLine($"pairs_per_second={F(s.BatchSize / meanStep)}");
        output.WriteLine($"tokens_per_second={F(tokensPerStep / meanStep)}");
        output.WriteLine($"model_flops_per_step={E(flopsPerStep)}");
        output.WriteLine("flops_formula=6*N*T + 12*L*d*S*T (N non-embedding parameters, T tokens per step, " +
                         "L layers, d hidden size, S sequence length)");
        output.WriteLine($"achieved_flops_per_second={E(achieved)}");
        output.WriteLine($"matmul_flops_per_second={E(matmul)} (float32 {s.MatmulSize}^3 matmul, 2*n^3 FLOPs, " +
                         $"mean of {matmulRates.Count} runs between the steps, min {E(matmulRates.Min())}, " +
                         $"max {E(matmulRates.Max())})");
        output.WriteLine($"mfu={mfu.ToString("0.0000", CultureInfo.InvariantCulture)}");
        var (bf16Faster, bf16Ratio) = Core.Models.MixedPrecision.Bf16PaysOff(TorchSharp.torch.get_default_device());
        output.WriteLine($"bf16_matmul_speed_vs_float32={(double.IsNaN(bf16Ratio) ? "n/a (CUDA)" : F(bf16Ratio))} " +
                         $"(bf16: true {(bf16Faster ? "would use" : "would keep float32 instead of")} bf16 here)");
        if (mfu > 1)
            output.WriteLine("note: mfu above 1 means the reference matmul ran slower than the model's own matrix " +
                             "products, which happens when other processes share the CPU; rerun on an idle machine.");
    }

    /// <summary>
    /// A text of exactly <paramref name="tokens"/> tokens, [CLS] and [SEP] included: words are added while they fit,
    /// and one-token words close the gap a multi-piece word would overshoot.
    /// </summary>
    private static string Text(Core.Models.Tokenization.WordPieceTokenizer tokenizer, int tokens, Random random)
    {
        var words = new List<string>();
        int count = 2;
        int misses = 0;
        while (count < tokens)
        {
            string word = Words[random.Next(Words.Length)];
            int pieces = tokenizer.CountTokens(word) - 2;
            if (pieces >= 1 && count + pieces <= tokens)
            {
                words.Add(word);
                count += pieces;
            }
            else if (++misses > 1000)
            {
                throw new InvalidOperationException(
                    $"Could not build a text of exactly {tokens} tokens from this model's vocabulary.");
            }
        }
        return string.Join(' ', words);
    }

    /// <summary>FLOP/s of a float32 n×n by n×n matmul (2·n³ FLOPs), averaged over at least a quarter second.</summary>
    private static double MatmulFlopsPerSecond(int n)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n, dtype: ScalarType.Float32);
        var b = randn(n, n, dtype: ScalarType.Float32);
        for (int i = 0; i < 2; i++) matmul(a, b).Dispose();
        var watch = Stopwatch.StartNew();
        int repetitions = 0;
        while (repetitions < 3 || watch.Elapsed.TotalSeconds < 0.25)
        {
            matmul(a, b).Dispose();
            repetitions++;
        }
        return 2.0 * n * n * (double)n * repetitions / watch.Elapsed.TotalSeconds;
    }
}
