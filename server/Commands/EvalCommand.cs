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
    /// <summary>--out must not replace what this command reads: the spec, its evaluators' data, the model's files.</summary>
    private static string? OutputProblem(string outPath, RunSpec spec, string modelId)
    {
        var inputs = new List<(string, string?)> { ("--spec", spec.SourcePath) };
        foreach (var evaluator in spec.Evaluators)
            foreach (var (role, path) in evaluator.Data)
                inputs.Add(($"evaluator '{(evaluator.Name.Length > 0 ? evaluator.Name : evaluator.Type)}' data.{role}", spec.Resolve(path)));
        if (StTrain.Core.Data.FilePaths.OutputProblem(outPath, "--out", [.. inputs]) is { } problem) return problem;
        if (Directory.Exists(modelId)
            && StTrain.Core.Data.FilePaths.RealPath(outPath).StartsWith(
                StTrain.Core.Data.FilePaths.RealPath(modelId) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            return $"--out '{outPath}' is inside the model folder {modelId}; writing there could replace one of the " +
                   "model's files. Fix: write the metrics somewhere else, e.g. runs/NAME/eval.json.";
        return null;
    }

    public static int Run(string[] args)
    {
        var cli = new CommandLine(args, new HashSet<string> { "json" });
        string modelId = cli.Require("model", "a model folder or id");
        string specPath = cli.Require("spec", "a run spec whose evaluators to run");
        bool json = cli.Flag("json");
        string? outPath = cli.Get("out");
        cli.RejectUnknown();

        var spec = RunSpec.Load(specPath);
        if (outPath is not null && OutputProblem(outPath, spec, modelId) is { } problem)
            throw new UsageException(problem);
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
            // Written in place (no rename over the target), so a device or pipe given as --out stays what it is.
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
            File.WriteAllText(outPath, JsonSerializer.Serialize(metrics, indented));
        }
        if (json)
            Console.WriteLine(JsonSerializer.Serialize(metrics, indented));
        else
            foreach (var (key, value) in metrics)
                Console.WriteLine($"{key}={value.ToString("0.######", CultureInfo.InvariantCulture)}");
        return 0;
    }
}
