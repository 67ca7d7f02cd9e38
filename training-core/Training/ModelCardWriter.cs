using System.Globalization;
using System.Text;
using StTrain.Core.Training.Spec;

namespace StTrain.Core.Training;

/// <summary>
/// Writes README.md into a saved model folder: YAML front matter with the fields the Hugging Face Hub and
/// sentence-transformers cards use (base_model, tags, datasets, pipeline_tag, library_name, metrics, model-index),
/// then the training setup and the final evaluation in prose and tables.
/// </summary>
public static class ModelCardWriter
{
    public static void Write(string directory, RunSpec spec, RunResult result, string lossDescription,
        IReadOnlyDictionary<string, object?> lossConfig, string evaluatorDescription, int trainRows)
    {
        static string Q(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
        static string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
        var metrics = result.Metrics ?? new Dictionary<string, double>();
        var card = new StringBuilder();

        card.AppendLine("---");
        card.AppendLine($"base_model: {Q(spec.Model.Id)}");
        card.AppendLine("library_name: sentence-transformers");
        card.AppendLine(spec.ModelType switch
        {
            "CrossEncoder" => "pipeline_tag: text-ranking",
            _ => "pipeline_tag: sentence-similarity",
        });
        card.AppendLine("tags:");
        string taskTag = spec.ModelType == "SentenceTransformer"
            ? "sentence-similarity"
            : spec.ModelType.ToLowerInvariant();
        foreach (string tag in new[]
        {
            "sentence-transformers", taskTag, "feature-extraction", "generated_from_trainer", "st-train",
            $"loss:{spec.Loss.Name}",
        })
            card.AppendLine($"- {tag}");
        card.AppendLine("datasets:");
        foreach (var dataset in spec.Train) card.AppendLine($"- {Q(dataset.Path)}");
        card.AppendLine("metrics:");
        foreach (string key in metrics.Keys.Where(k => k != "eval_loss"))
            card.AppendLine($"- {key.Replace("eval_", "", StringComparison.Ordinal)}");
        if (result.PrimaryMetric is { } primary && metrics.TryGetValue(primary, out double value))
        {
            card.AppendLine("model-index:");
            card.AppendLine($"- name: {Q(spec.RunName)}");
            card.AppendLine("  results:");
            card.AppendLine("  - task:");
            string taskType = spec.ModelType == "CrossEncoder" ? "reranking" : "information-retrieval";
            card.AppendLine($"      type: {taskType}");
            card.AppendLine("    dataset:");
            card.AppendLine($"      name: {Q(spec.Evaluators.FirstOrDefault()?.Name ?? "eval")}");
            card.AppendLine("    metrics:");
            card.AppendLine($"    - type: {primary.Replace("eval_", "", StringComparison.Ordinal)}");
            card.AppendLine($"      value: {F(value)}");
            card.AppendLine($"      name: {primary}");
        }
        card.AppendLine("---");
        card.AppendLine();
        card.AppendLine($"# {spec.RunName}");
        card.AppendLine();
        card.AppendLine(
            $"A {spec.ModelType} fine-tuned from `{spec.Model.Id}` with st-train on {trainRows} training rows.");
        card.AppendLine();
        card.AppendLine("## Training");
        card.AppendLine();
        string lossParameters = lossConfig.Count > 0
            ? " with " + string.Join(", ", lossConfig.Select(kv => $"{kv.Key}={Show(kv.Value)}"))
            : "";
        card.AppendLine($"- Loss: `{lossDescription}`" + lossParameters);
        card.AppendLine($"- Evaluators: {evaluatorDescription}");
        card.AppendLine($"- Data: {string.Join(", ", spec.Train.Select(d => $"`{d.Path}`"))}");
        card.AppendLine();
        card.AppendLine("| training argument | value |");
        card.AppendLine("|---|---|");
        var t = spec.Training;
        foreach (var (name, setting) in new (string, object?)[]
        {
            ("num_train_epochs", t.NumTrainEpochs), ("max_steps", t.MaxSteps),
            ("per_device_train_batch_size", t.PerDeviceTrainBatchSize), ("learning_rate", t.LearningRate),
            ("weight_decay", t.WeightDecay), ("warmup_steps", t.WarmupSteps), ("lr_scheduler_type", t.LrSchedulerType),
            ("gradient_accumulation_steps", t.GradientAccumulationSteps), ("max_grad_norm", t.MaxGradNorm),
            ("batch_sampler", t.BatchSampler), ("seed", t.Seed), ("eval_strategy", t.EvalStrategy),
            ("load_best_model_at_end", t.LoadBestModelAtEnd), ("metric_for_best_model", t.MetricForBestModel),
        })
            card.AppendLine($"| {name} | {Show(setting)} |");
        card.AppendLine();
        card.AppendLine("## Evaluation");
        card.AppendLine();
        if (result.VerdictLine is { } verdictLine)
        {
            card.AppendLine($"`{verdictLine}`");
            card.AppendLine();
        }
        card.AppendLine("| metric | baseline | final |");
        card.AppendLine("|---|---|---|");
        foreach (var (key, final) in metrics.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            string before = result.BaselineMetrics?.TryGetValue(key, out double b) == true ? F(b) : "";
            card.AppendLine($"| {key} | {before} | {F(final)} |");
        }
        card.AppendLine();
        card.AppendLine("## Usage");
        card.AppendLine();
        card.AppendLine("Load the folder with sentence-transformers in Python (`SentenceTransformer(path)`), " +
                        "or with st-train:");
        card.AppendLine();
        card.AppendLine("```bash");
        card.AppendLine("./st-train encode --model PATH_TO_THIS_FOLDER --input texts.txt --output embeddings.jsonl");
        card.AppendLine("```");
        File.WriteAllText(Path.Combine(directory, "README.md"), card.ToString());
    }

    private static string Show(object? value) => value switch
    {
        null => "None", // as the Python config it mirrors prints an unset option
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        string text => text,
        IEnumerable<object?> list => "[" + string.Join(", ", list.Select(Show)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
