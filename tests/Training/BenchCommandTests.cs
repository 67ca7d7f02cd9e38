using System.Globalization;
using StTrain.Core.Runtime;
using StTrain.Server.Commands;
using StTrain.Tests.Support;
using Xunit;

namespace StTrain.Tests.Training;

/// <summary>`st-train bench train` on a tiny saved BERT: token count and FLOPs against the architecture.</summary>
public sealed class BenchCommandTests : IDisposable
{
    private readonly TinyWorkspace workspace = new(pairs: 4);

    public BenchCommandTests() => TorchRuntime.Initialize();

    public void Dispose() => workspace.Dispose();

    private Dictionary<string, string> Run(params string[] args)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        Assert.Equal(0, BenchCommand.RunTrain(args, output));
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in output.ToString().Split('\n').Skip(1))
            foreach (string field in line.Trim().Split(' '))
            {
                int eq = field.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0 && !field.StartsWith("flops_formula", StringComparison.Ordinal))
                    values[field[..eq]] = field[(eq + 1)..];
            }
        return values;
    }

    private static double Number(Dictionary<string, string> values, string key) =>
        double.Parse(values[key], NumberStyles.Float, CultureInfo.InvariantCulture);

    [Fact]
    public void Bench_train_reports_throughput_and_flops_that_match_the_architecture()
    {
        var values = Run("train", "--model", workspace.ModelPath, "--batch-size", "4", "--seq-len", "12",
            "--steps", "2", "--warmup", "1", "--matmul-size", "128");

        // TinyModels.Config(): 2 layers, hidden 32, feed-forward 64. Per layer: Q, K, V, O (32·32 + 32 each),
        // two LayerNorms (2·32 each), feed-forward in (32·64 + 64) and out (64·32 + 32).
        const long h = 32, i = 64, layers = 2;
        long perLayer = 4 * (h * h + h) + 2 * (2 * h) + (h * i + i) + (i * h + h);
        Assert.Equal(layers * perLayer, long.Parse(values["non_embedding_parameters"], CultureInfo.InvariantCulture));

        // 4 anchors + 4 positives of exactly 12 tokens.
        const long tokens = 2 * 4 * 12;
        Assert.Equal(tokens, long.Parse(values["tokens_per_step"], CultureInfo.InvariantCulture));

        double flops = 6.0 * layers * perLayer * tokens + 12.0 * layers * h * 12 * tokens;
        Assert.Equal(flops, Number(values, "model_flops_per_step"), flops * 1e-3);

        double step = Number(values, "step_seconds_mean");
        Assert.True(step > 0);
        Assert.Equal(4 / step, Number(values, "pairs_per_second"), 4 / step * 1e-2);
        Assert.Equal(tokens / step, Number(values, "tokens_per_second"), tokens / step * 1e-2);
        Assert.Equal(flops / step, Number(values, "achieved_flops_per_second"), flops / step * 1e-2);
        double matmul = Number(values, "matmul_flops_per_second");
        Assert.True(matmul > 1e6, "a float32 matmul runs at more than a megaflop per second");
        Assert.Equal(flops / step / matmul, Number(values, "mfu"), 1e-3 + flops / step / matmul * 1e-2);
        Assert.True(double.IsFinite(Number(values, "last_loss")));
    }

    [Fact]
    public void Bench_train_refuses_a_sequence_longer_than_the_model_reads()
    {
        var error = Assert.Throws<UsageException>(() =>
            BenchCommand.RunTrain(["--model", workspace.ModelPath, "--seq-len", "100"], TextWriter.Null));
        Assert.Contains("64 positions", error.Message, StringComparison.Ordinal);
        Assert.Throws<UsageException>(() => BenchCommand.RunTrain(["--stepz", "3"], TextWriter.Null));
    }
}
