namespace StTrain.Core.Training.Spec;

/// <summary>
/// The `training:` section, with the names and meanings of Hugging Face TrainingArguments / sentence-transformers
/// training arguments. Step-valued fields accept a whole number of steps or a fraction (0 &lt; x &lt; 1) of the run.
/// </summary>
public sealed record TrainingArguments
{
    public string? OutputDir { get; init; }
    public double NumTrainEpochs { get; init; } = 1;
    public int MaxSteps { get; init; } = -1;
    public int PerDeviceTrainBatchSize { get; init; } = 8;
    public int PerDeviceEvalBatchSize { get; init; } = 8;
    public double LearningRate { get; init; } = 5e-5;
    public double WeightDecay { get; init; }
    public double AdamBeta1 { get; init; } = 0.9;
    public double AdamBeta2 { get; init; } = 0.999;
    public double AdamEpsilon { get; init; } = 1e-8;
    public double MaxGradNorm { get; init; } = 1.0;
    public string LrSchedulerType { get; init; } = "linear";
    public IReadOnlyDictionary<string, object?> LrSchedulerKwargs { get; init; } = new Dictionary<string, object?>();

    /// <summary>Warmup as steps (whole number) or as a fraction of the total steps (float below 1).</summary>
    public double WarmupSteps { get; init; }
    public int GradientAccumulationSteps { get; init; } = 1;

    public string EvalStrategy { get; init; } = "no";
    public double? EvalSteps { get; init; }
    public string SaveStrategy { get; init; } = "steps";
    public double SaveSteps { get; init; } = 500;
    public int? SaveTotalLimit { get; init; }
    public double LoggingSteps { get; init; } = 500;
    public bool LoggingFirstStep { get; init; }
    public bool LoadBestModelAtEnd { get; init; }
    public string? MetricForBestModel { get; init; }
    public bool? GreaterIsBetter { get; init; }

    public int Seed { get; init; } = 42;
    public int? DataSeed { get; init; }

    /// <summary>batch_sampler | no_duplicates | group_by_label.</summary>
    public string BatchSampler { get; init; } = "batch_sampler";

    /// <summary>proportional | round_robin, for several training datasets.</summary>
    public string MultiDatasetBatchSampler { get; init; } = "proportional";
    public bool DataloaderDropLast { get; init; }

    /// <summary>A checkpoint folder, or true for the newest checkpoint in output_dir.</summary>
    public string? ResumeFromCheckpoint { get; init; }
    public int? EarlyStoppingPatience { get; init; }
    public double EarlyStoppingThreshold { get; init; }
    public bool Bf16 { get; init; }
    public bool Fp16 { get; init; }
    public bool GradientCheckpointing { get; init; }

    /// <summary>
    /// Prompts per input column name (column → prompt text), prepended during training and evaluation.
    /// </summary>
    public IReadOnlyDictionary<string, string> Prompts { get; init; } = new Dictionary<string, string>();

    /// <summary>Spec field names this record understands (for "unknown field" errors with suggestions).</summary>
    public static readonly string[] FieldNames =
    [
        "output_dir", "num_train_epochs", "max_steps", "per_device_train_batch_size", "per_device_eval_batch_size",
        "learning_rate", "weight_decay", "adam_beta1", "adam_beta2", "adam_epsilon", "max_grad_norm",
        "lr_scheduler_type", "lr_scheduler_kwargs", "warmup_steps", "warmup_ratio", "gradient_accumulation_steps",
        "eval_strategy", "evaluation_strategy", "eval_steps", "save_strategy", "save_steps", "save_total_limit",
        "logging_steps", "logging_first_step", "load_best_model_at_end", "metric_for_best_model", "greater_is_better",
        "seed", "data_seed", "batch_sampler", "multi_dataset_batch_sampler", "dataloader_drop_last",
        "resume_from_checkpoint", "early_stopping_patience", "early_stopping_threshold", "bf16", "fp16",
        "gradient_checkpointing", "prompts", "report_to", "run_name",
    ];

    public static readonly string[] Schedulers =
        ["linear", "cosine", "constant", "constant_with_warmup", "cosine_with_restarts", "polynomial"];

    public static readonly string[] Samplers = ["batch_sampler", "no_duplicates", "group_by_label"];
    public static readonly string[] Strategies = ["no", "steps", "epoch"];
}
