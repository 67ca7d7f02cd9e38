using System.Globalization;
using StTrain.Core.Data;
using StTrain.Core.Models;
using StTrain.Core.Training;
using StTrain.Core.Training.Spec;
using static TorchSharp.torch;

namespace StTrain.Server.Commands;

/// <summary>
/// `st-train loss`: the loss of a whole data file as one batch, with dropout off and no training. Columns are taken
/// by position as in training ("label"/"score" is the label). The last line printed is `loss=<value>`.
/// </summary>
public static class LossCommand
{
    public const string Usage =
        "st-train loss --model M --loss NAME [--param key=value]... [--inner-loss NAME [--inner-param key=value]...] " +
        "--data FILE.jsonl";

    public static int Run(string[] args)
    {
        var cli = new CommandLine(args);
        string modelId = cli.Require("model", "a model folder or id");
        string lossName = cli.Require("loss", "a registered loss name, e.g. MultipleNegativesRankingLoss");
        string dataPath = cli.Require("data", "a JSONL/CSV/TSV/Parquet file whose columns match the loss");
        var parameters = ParseParameters(cli.GetAll("param"), "--param");
        string? innerName = cli.Get("inner-loss");
        var innerParameters = ParseParameters(cli.GetAll("inner-param"), "--inner-param");
        cli.RejectUnknown();

        var lossSpec = innerName is null
            ? new LossSpec { Name = lossName, Params = parameters }
            : new LossSpec { Name = innerName, Params = innerParameters,
                Wrapper = new LossSpec { Name = lossName, Params = parameters } };
        var dataSpec = new DatasetSpec
        {
            Name = "data", Path = Path.GetFullPath(dataPath), Field = "--data", Location = "--data",
        };
        var dataset = PreparedDataset.Load(dataSpec, p => p);
        var spec = new RunSpec
        {
            RunName = "loss", Model = new ModelSpec { Id = modelId }, Train = [dataSpec], Loss = lossSpec,
            Training = new TrainingArguments { BatchSampler = "no_duplicates" }, SourcePath = "--loss",
        };
        var problems = RunSpecValidator.ValidateStatic(spec)
            .Concat(RunSpecValidator.ValidateData(spec, [dataset]))
            .Where(e => e.Field is not "evaluators" and not "training.batch_sampler")
            .ToList();
        if (problems.Count > 0)
            throw new UsageException(string.Join(" ", problems.Select(p => $"{p.Problem}. Fix: {p.Fix}.")));

        using var model = CommandModels.LoadSentenceTransformer(modelId);
        using var loss = SentenceTransformerTask.CreateLoss(lossSpec, model);
        model.eval();
        loss.eval();
        var rows = Enumerable.Range(0, dataset.Count).ToArray();
        var inputs = Enumerable.Range(0, dataset.InputColumns.Count)
            .Select(c => model.Tokenize(dataset.Texts(c, rows)))
            .ToList();
        var labels = dataset.Labels(rows)?.to(model.Device);

        // Cached losses back-propagate inside Compute; without autograd they only compute the value.
        using var noGrad = no_grad();
        double value = loss.Compute(inputs, labels).item<float>();
        string lossLabel = (lossSpec.Wrapper?.Name ?? lossName) + (innerName is null ? "" : $"({innerName})");
        Console.Error.WriteLine($"{lossLabel} on {dataset.Count} rows of {dataPath} with {modelId}:");
        Console.WriteLine($"loss={value.ToString("R", CultureInfo.InvariantCulture)}");
        return 0;
    }

    /// <summary>key=value pairs; values are read like YAML scalars (numbers, true/false, [lists]).</summary>
    private static Dictionary<string, object?> ParseParameters(IReadOnlyList<string> pairs, string option)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (string pair in pairs)
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new UsageException($"{option} '{pair}' is not key=value (e.g. {option} scale=20).");
            string key = pair[..eq], text = pair[(eq + 1)..];
            result[key] = SpecNode.ParseValue(text, $"{option} {key}");
        }
        return result;
    }
}
