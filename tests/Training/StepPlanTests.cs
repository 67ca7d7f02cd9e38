using StTrain.Core.Training;
using StTrain.Core.Training.Spec;
using Xunit;

namespace StTrain.Tests.Training;

/// <summary>
/// Step counts as the Hugging Face trainer derives them: optimizer steps per epoch = ceil(batches / accumulation),
/// total = max_steps or ceil(epochs · steps per epoch), and a step setting x in (0, 1) means ceil(x · total).
/// Expected values are worked out by hand in each case.
/// </summary>
public sealed class StepPlanTests
{
    [Theory]
    [InlineData(0.1, 95, 10)]     // 9.5 → 10
    [InlineData(0.25, 8, 2)]
    [InlineData(0.05, 30, 2)]     // 1.5 → 2
    [InlineData(0.001, 100, 1)]   // 0.1 → 1: a fraction never resolves to 0 steps
    [InlineData(0.5, 7, 4)]       // 3.5 → 4
    [InlineData(0.2, 10, 2)]
    [InlineData(1.0, 100, 1)]     // 1 is a step count, not "the whole run"
    [InlineData(500.0, 100, 500)] // counts are kept as they are, even beyond the run
    [InlineData(0.0, 100, 0)]
    public void Resolve_turns_fractions_into_ceil_of_the_total(double value, int total, int expected) =>
        Assert.Equal(expected, StepPlan.Resolve(value, total));

    [Theory]
    [InlineData(10, 1, 3.0, 30, 10)]
    [InlineData(10, 1, 2.5, 25, 10)]
    [InlineData(10, 1, 0.3, 3, 10)]
    [InlineData(10, 4, 2.0, 6, 3)]   // 10 batches, accumulation 4: updates of 4, 4 and 2 batches
    [InlineData(12, 4, 1.0, 3, 3)]
    [InlineData(3, 4, 2.0, 2, 1)]    // fewer batches than one accumulation still make one update
    [InlineData(7, 2, 1.5, 6, 4)]    // ceil(1.5 · 4)
    public void Epochs_give_ceil_of_epochs_times_updates_per_epoch(int batches, int accumulation, double epochs,
        int expectedTotal, int expectedPerEpoch)
    {
        var plan = StepPlan.Create(new TrainingArguments
        {
            NumTrainEpochs = epochs, GradientAccumulationSteps = accumulation,
        }, batches);
        Assert.Equal(expectedPerEpoch, plan.StepsPerEpoch);
        Assert.Equal(expectedTotal, plan.TotalSteps);
    }

    [Fact]
    public void Max_steps_wins_over_epochs()
    {
        var plan = StepPlan.Create(new TrainingArguments { NumTrainEpochs = 3, MaxSteps = 7 }, 10);
        Assert.Equal(7, plan.TotalSteps);
        Assert.Equal(10, plan.StepsPerEpoch);
        plan = StepPlan.Create(new TrainingArguments { NumTrainEpochs = 1, MaxSteps = 25 }, 10);
        Assert.Equal(25, plan.TotalSteps);
    }

    [Fact]
    public void Fractional_settings_resolve_against_the_total_after_accumulation()
    {
        // 40 batches, accumulation 2, 1 epoch: 20 updates.
        var plan = StepPlan.Create(new TrainingArguments
        {
            GradientAccumulationSteps = 2, WarmupSteps = 0.1, EvalStrategy = "steps", EvalSteps = 0.25,
            SaveSteps = 0.5, LoggingSteps = 0.05,
        }, 40);
        Assert.Equal(20, plan.TotalSteps);
        Assert.Equal(2, plan.WarmupSteps);
        Assert.Equal(5, plan.EvalSteps);
        Assert.Equal(10, plan.SaveSteps);
        Assert.Equal(1, plan.LoggingSteps);

        // 13 updates: 0.1 → ceil(1.3) = 2, 0.25 → ceil(3.25) = 4, 0.5 → ceil(6.5) = 7.
        plan = StepPlan.Create(new TrainingArguments
        {
            MaxSteps = 13, WarmupSteps = 0.1, EvalStrategy = "steps", EvalSteps = 0.25, SaveSteps = 0.5,
            LoggingSteps = 3,
        }, 100);
        Assert.Equal(2, plan.WarmupSteps);
        Assert.Equal(4, plan.EvalSteps);
        Assert.Equal(7, plan.SaveSteps);
        Assert.Equal(3, plan.LoggingSteps);
    }

    [Fact]
    public void Eval_steps_follow_the_strategy()
    {
        // eval_steps unset falls back to logging_steps, as in Hugging Face.
        var fallback = StepPlan.Create(new TrainingArguments { EvalStrategy = "steps", LoggingSteps = 7 }, 50);
        Assert.Equal(7, fallback.EvalSteps);
        Assert.Equal(12, StepPlan.Create(new TrainingArguments { EvalStrategy = "epoch" }, 12).EvalSteps);
        Assert.Null(StepPlan.Create(new TrainingArguments { EvalStrategy = "no", EvalSteps = 5 }, 12).EvalSteps);
        // save_strategy epoch saves once per epoch of updates.
        Assert.Equal(3, StepPlan.Create(new TrainingArguments
        {
            SaveStrategy = "epoch", GradientAccumulationSteps = 4,
        }, 10).SaveSteps);
    }
}
