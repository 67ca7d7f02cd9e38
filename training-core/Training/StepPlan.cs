namespace StTrain.Core.Training;

/// <summary>
/// The step counts of a run, with fractional settings (0 &lt; x &lt; 1) turned into whole steps of the total, as the
/// Hugging Face trainer does: ceil(x · total). An epoch is ceil(batches / accumulation) optimizer steps, because the
/// trainer also steps on the last, shorter accumulation of an epoch (as current Hugging Face releases do).
/// </summary>
public sealed record StepPlan(int TotalSteps, int StepsPerEpoch, int WarmupSteps, int? EvalSteps, int SaveSteps,
    int LoggingSteps)
{
    public static int Resolve(double value, int totalSteps) =>
        value > 0 && value < 1 ? Math.Max(1, (int)Math.Ceiling(value * totalSteps)) : (int)value;

    public static StepPlan Create(Spec.TrainingArguments args, int batchesPerEpoch)
    {
        int accumulation = args.GradientAccumulationSteps;
        int stepsPerEpoch = Math.Max(1, (batchesPerEpoch + accumulation - 1) / accumulation);
        int total = args.MaxSteps > 0
            ? args.MaxSteps
            : Math.Max(1, (int)Math.Ceiling(args.NumTrainEpochs * stepsPerEpoch));
        int logging = Resolve(args.LoggingSteps, total);
        int? eval = args.EvalStrategy switch
        {
            "steps" => Resolve(args.EvalSteps ?? args.LoggingSteps, total),
            "epoch" => stepsPerEpoch,
            _ => null,
        };
        int save = args.SaveStrategy == "epoch" ? stepsPerEpoch : Resolve(args.SaveSteps, total);
        return new StepPlan(total, stepsPerEpoch, Resolve(args.WarmupSteps, total), eval, save, logging);
    }
}
