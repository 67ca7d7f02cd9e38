using System.Globalization;
using System.Text.Json;
using StTrain.Core.Evaluation;
using StTrain.Core.Models;
using StTrain.Core.Training.Spec;

namespace StTrain.Server.Commands;

/// <summary>
/// `st-train eval --model M --spec SPEC [--json] [--out FILE.json]`: runs the spec's evaluators on a model and prints
/// the metrics (and writes them as a JSON object to FILE.json).
/// </summary>
public static class EvalCommand
{
    public static int Run(string[] args)
    {
        var cli = new CommandLine(args, new HashSet<string> { "json" });
        string modelId = cli.Require("model", "a model folder or id");
        string specPath = cli.Require("spec", "a run spec whose evaluators to run");
        bool json = cli.Flag("json");
        string? outPath = cli.Get("out");
        cli.RejectUnknown();

        var spec = RunSpec.Load(specPath);
        if (spec.Evaluators.Count == 0)
            throw new UsageException($"{specPath} has no evaluators; add an 'evaluators:' list to it.");
        using var model = CommandModels.LoadSentenceTransformer(modelId);
        if (spec.Model.MaxSeqLength is int maxSeqLength) model.MaxSeqLength = maxSeqLength;
        foreach (var (name, prompt) in spec.Model.Prompts) model.SetPrompt(name, prompt);

        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var evaluatorSpec in spec.Evaluators)
        {
            var evaluator = EvaluatorRegistry.Create(evaluatorSpec, spec.Resolve, evaluatorSpec.MaxRows);
            foreach (var (key, value) in evaluator.Evaluate(model)) metrics["eval_" + key] = value;
        }
        var indented = new JsonSerializerOptions { WriteIndented = true };
        if (outPath is not null)
        {
            // Written whole through a temporary file, so a reader never sees half the metrics.
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
            File.WriteAllText(outPath + ".tmp", JsonSerializer.Serialize(metrics, indented));
            File.Move(outPath + ".tmp", outPath, overwrite: true);
        }
        if (json)
            Console.WriteLine(JsonSerializer.Serialize(metrics, indented));
        else
            foreach (var (key, value) in metrics)
                Console.WriteLine($"{key}={value.ToString("0.######", CultureInfo.InvariantCulture)}");
        return 0;
    }
}
