using System.Text.Json.Nodes;
using StTrain.Core.Training;
using StTrain.Tests.Support;
using Xunit;

namespace StTrain.Tests.Training;

/// <summary>Gradient accumulation over several epochs in a real (tiny) run: the plan and the loop must agree.</summary>
[Collection("training runs")]
public sealed class TrainerAccumulationTests : IDisposable
{
    private readonly TinyWorkspace workspace = new();

    public void Dispose() => workspace.Dispose();

    [Fact]
    public void Two_epochs_with_accumulation_train_both_epochs_to_the_end()
    {
        // 48 distinct pairs in batches of 8: 6 batches per epoch; accumulation 4 gives updates of 4 and 2 batches,
        // so 2 updates per epoch and 4 in all.
        var runs = new RunWorkspace(workspace.Root);
        string spec = workspace.WriteSpec("accumulate",
            "num_train_epochs: 2\ngradient_accumulation_steps: 4\nlogging_steps: 1");
        Assert.Equal(0, RunExecutor.Execute(spec, smoke: false, runs));

        var result = JsonNode.Parse(File.ReadAllText(runs.ResultPath("accumulate")))!.AsObject();
        Assert.Equal(4, result["total_steps"]!.GetValue<int>());
        Assert.Equal(4, result["global_step"]!.GetValue<int>());

        var epochs = File.ReadAllLines(runs.MetricsPath("accumulate"))
            .Select(l => JsonNode.Parse(l)!.AsObject())
            .Where(o => o.ContainsKey("train/loss"))
            .Select(o => o["epoch"]!.GetValue<double>())
            .ToList();
        // Epoch progress after each update: 4/6, 6/6, then the same in the second epoch.
        Assert.Equal([4 / 6.0, 1.0, 1 + 4 / 6.0, 2.0], epochs.Select(e => Math.Round(e, 6)).ToList(),
            new ToleranceComparer(1e-4));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double value) => 0;
    }
}
