using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using StTrain.Core.Models;
using StTrain.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Server.Commands;

/// <summary>
/// <c>st-train bench encode [--model ID] [--batch-size 32] [--seq-len 128] [--batches N]</c>: sentences per second of
/// the TorchSharp encoder and of ONNX Runtime on the same ONNX graph, same token ids and same pooling, in one run.
/// </summary>
public static class EncodeBenchmarkCommand
{
    private const string Usage = """
        Usage: st-train bench encode [options]

        Times sentence encoding with the st-train TorchSharp encoder and with ONNX Runtime running the model's ONNX
        graph, on identical token ids (every text fills exactly --seq-len tokens), and prints sentences/s for each.

        Options:
          --model ID          bundled id or model folder (default sentence-transformers/all-MiniLM-L6-v2)
          --onnx PATH         ONNX graph to run in ONNX Runtime (default: the bundled package's graph;
                              required when --model is not a bundled model)
          --batch-size N      sentences per forward pass (default 32)
          --seq-len N         tokens per sentence, [CLS] and [SEP] included (default 128)
          --batches N         timed batches per engine (default 10)
          --warmup N          untimed batches per engine first (default 2)
          --threads N         intra-op threads for both engines (default: all cores)
        """;

    private static readonly string[] Options =
        ["model", "onnx", "batch-size", "seq-len", "batches", "warmup", "threads"];

    private static readonly string[] Words =
    [
        "the", "model", "reads", "a", "short", "sentence", "about", "rivers", "and", "mountains", "while", "people",
        "walk", "through", "the", "city", "at", "night", "music", "plays", "in", "old", "houses", "near", "water",
    ];

    /// <summary>
    /// Runs the benchmark; <paramref name="args"/> are the words after "bench" (a leading "encode" is skipped).
    /// Returns 0 on success, 1 when the model or graph cannot be used, 2 for a bad command line.
    /// </summary>
    public static int Run(string[] args) => Run(args, Console.Out);

    public static int Run(string[] args, TextWriter output)
    {
        if (args.Length > 0 && args[0] == "encode") args = args[1..];
        if (args.Any(a => a is "--help" or "-h" or "help"))
        {
            output.WriteLine(Usage);
            return 0;
        }
        try
        {
            var parsed = CommandLine.Parse(args, Options, []);
            if (parsed.Positional.Count > 0)
                throw new UsageException($"Unexpected argument '{parsed.Positional[0]}'.");
            var settings = new Settings(
                parsed.Get("model") ?? "sentence-transformers/all-MiniLM-L6-v2",
                parsed.Get("onnx"),
                parsed.GetInt("batch-size", 32, 1),
                parsed.GetInt("seq-len", 128, 3),
                parsed.GetInt("batches", 10, 1),
                parsed.GetInt("warmup", 2, 0),
                parsed.GetInt("threads", Environment.ProcessorCount, 1));
            Benchmark(settings, output);
            return 0;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"st-train bench encode: {e.Message}\n\n{Usage}");
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException
                                      or ArgumentException or NotSupportedException or OnnxRuntimeException)
        {
            Console.Error.WriteLine($"st-train bench encode: {e.Message}");
            return 1;
        }
    }

    private sealed record Settings(
        string Model, string? Onnx, int BatchSize, int SeqLen, int Batches, int Warmup, int Threads);

    private static void Benchmark(Settings s, TextWriter output)
    {
        using var session = OpenSession(s);
        TorchRuntime.Initialize();
        torch.set_num_threads(s.Threads);
        using var model = CommandModels.LoadSentenceTransformer(s.Model, CPU);
        int maxPositions = model.Transformer.Encoder.Config.MaxPositionEmbeddings;
        if (s.SeqLen > maxPositions)
            throw new UsageException($"--seq-len {s.SeqLen} exceeds the model's {maxPositions} positions.");
        model.MaxSeqLength = s.SeqLen;

        var texts = MakeTexts(s.BatchSize * (s.Batches + s.Warmup), s.SeqLen);
        var batches = Enumerable.Range(0, s.Batches + s.Warmup)
            .Select(b => Batch.From(model.Tokenize(texts.Skip(b * s.BatchSize).Take(s.BatchSize).ToList()), s.SeqLen))
            .ToList();

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bench encode: model={s.Model} batch_size={s.BatchSize} seq_len={s.SeqLen} batches={s.Batches} " +
            $"warmup={s.Warmup} threads={s.Threads}"));

        double torchRate = Time(batches, s, batch => TorchSharpForward(model, batch).Dispose());
        double ortRate = Time(batches, s, batch => OrtForward(session, model, batch).Dispose());
        var all = texts.Skip(s.Warmup * s.BatchSize).ToList();
        var encodeOptions = new EncodeOptions { BatchSize = s.BatchSize };
        model.EncodeToTensor(texts.Take(Math.Max(1, s.Warmup) * s.BatchSize).ToList(), encodeOptions).Dispose();
        var watch = Stopwatch.StartNew();
        model.EncodeToTensor(all, encodeOptions).Dispose();
        double encodeRate = all.Count / watch.Elapsed.TotalSeconds;

        using var ours = TorchSharpForward(model, batches[^1]);
        using var theirs = OrtForward(session, model, batches[^1]);
        double agreement = nn.functional.cosine_similarity(ours, theirs, dim: 1).min().item<float>();

        string ortVersion = typeof(InferenceSession).Assembly.GetName().Version?.ToString(3) ?? "?";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  TorchSharp (st-train)   {torchRate,9:F1} sentences/s   forward + pooling on pre-tokenized batches"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  ONNX Runtime {ortVersion,-9}  {ortRate,9:F1} sentences/s   same graph weights, ids and pooling"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  TorchSharp Encode()     {encodeRate,9:F1} sentences/s   end to end, tokenization included"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  ratio TorchSharp / ONNX Runtime = {torchRate / ortRate:F2}; " +
            $"min cosine between the two = {agreement:F7}"));
    }

    private static InferenceSession OpenSession(Settings s)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = s.Threads,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        if (s.Onnx is not null)
        {
            if (!File.Exists(s.Onnx)) throw new UsageException($"--onnx {s.Onnx}: no such file.");
            return new InferenceSession(s.Onnx, options);
        }
        using var graph = BundledModels.TryOpenGraph(s.Model) ?? throw new UsageException(
            $"'{s.Model}' is not a bundled model, so there is no ONNX graph to compare with; pass --onnx PATH.");
        using var copy = new MemoryStream();
        graph.CopyTo(copy);
        return new InferenceSession(copy.ToArray(), options);
    }

    /// <summary>Texts long enough that each is cut to exactly <paramref name="seqLen"/> tokens.</summary>
    private static List<string> MakeTexts(int count, int seqLen)
    {
        var random = new Random(1234);
        return Enumerable.Range(0, count)
            .Select(_ => string.Join(' ',
                Enumerable.Range(0, seqLen + 8).Select(_ => Words[random.Next(Words.Length)])))
            .ToList();
    }

    /// <summary>One pre-tokenized batch, as torch tensors for TorchSharp and flat arrays for ONNX Runtime.</summary>
    private sealed record Batch(Tensor Ids, Tensor Mask, long[] FlatIds, long[] FlatMask, long[] Shape)
    {
        public static Batch From(Features features, int seqLen)
        {
            var ids = features[Features.InputIds].detach();
            var mask = features[Features.AttentionMask].detach();
            if (ids.shape[1] != seqLen)
                throw new InvalidOperationException(
                    $"Benchmark texts tokenized to {ids.shape[1]} tokens instead of {seqLen}.");
            return new Batch(ids, mask, ids.data<long>().ToArray(), mask.data<long>().ToArray(), ids.shape);
        }
    }

    private static double Time(List<Batch> batches, Settings s, Action<Batch> run)
    {
        for (int i = 0; i < s.Warmup; i++) run(batches[i]);
        var watch = Stopwatch.StartNew();
        for (int i = s.Warmup; i < batches.Count; i++) run(batches[i]);
        return s.Batches * (double)s.BatchSize / watch.Elapsed.TotalSeconds;
    }

    private static Tensor TorchSharpForward(SentenceTransformer model, Batch batch)
    {
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var features = new Features
        {
            [Features.InputIds] = batch.Ids,
            [Features.AttentionMask] = batch.Mask,
            [Features.TokenTypeIds] = zeros_like(batch.Ids),
        };
        return model.forward(features)[Features.SentenceEmbedding].MoveToOuterDisposeScope();
    }

    /// <summary>ONNX Runtime's last_hidden_state, then the model's own pooling / normalisation modules.</summary>
    private static Tensor OrtForward(InferenceSession session, SentenceTransformer model, Batch batch)
    {
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var inputs = new Dictionary<string, OrtValue>
        {
            ["input_ids"] = OrtValue.CreateTensorValueFromMemory(batch.FlatIds, batch.Shape),
            ["attention_mask"] = OrtValue.CreateTensorValueFromMemory(batch.FlatMask, batch.Shape),
            ["token_type_ids"] = OrtValue.CreateTensorValueFromMemory(new long[batch.FlatIds.Length], batch.Shape),
        };
        try
        {
            var names = session.InputMetadata.Keys.ToList();
            using var runOptions = new RunOptions();
            string outputName = session.OutputMetadata.Keys.Contains("last_hidden_state")
                ? "last_hidden_state"
                : session.OutputMetadata.Keys.First();
            using var results = session.Run(runOptions, names, names.Select(n => inputs[n]).ToList(), [outputName]);
            var hidden = results[0].GetTensorDataAsSpan<float>().ToArray();
            var features = new Features
            {
                [Features.TokenEmbeddings] = tensor(hidden, [batch.Shape[0], batch.Shape[1], hidden.Length
                    / (batch.Shape[0] * batch.Shape[1])]),
                [Features.AttentionMask] = batch.Mask,
                [Features.InputIds] = batch.Ids,
            };
            foreach (var module in model.Pipeline.Skip(1)) features = module.forward(features);
            return features[Features.SentenceEmbedding].MoveToOuterDisposeScope();
        }
        finally
        {
            foreach (var value in inputs.Values) value.Dispose();
        }
    }
}
