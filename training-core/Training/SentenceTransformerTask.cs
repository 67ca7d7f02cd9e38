using StTrain.Core.Evaluation;
using StTrain.Core.Losses;
using StTrain.Core.Models;
using StTrain.Core.Models.IO;
using StTrain.Core.Training.Spec;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StTrain.Core.Training;

/// <summary>Training a bi-encoder (<see cref="SentenceTransformer"/>) with a registered loss and evaluators.</summary>
public sealed class SentenceTransformerTask : ITrainingTask
{
    private const string LossStateFile = "loss_state.safetensors";

    private readonly SentenceTransformer model;
    private readonly IReadOnlyList<SentenceLoss> losses;
    private readonly IReadOnlyList<SentenceEvaluator> evaluators;
    private readonly IReadOnlyDictionary<string, string> columnPrompts;
    private readonly RunSpec spec;

    public SentenceTransformerTask(RunSpec spec, SentenceTransformer model, IReadOnlyList<PreparedDataset> train,
        PreparedDataset? eval, IReadOnlyList<SentenceEvaluator> evaluators)
    {
        this.spec = spec;
        this.model = model;
        TrainData = train;
        EvalData = eval;
        this.evaluators = evaluators;
        columnPrompts = spec.Training.Prompts;
        losses = train.Select(d => CreateLoss(spec.Losses.GetValueOrDefault(d.Name, spec.Loss), model)).ToList();
        model.Transformer.Encoder.GradientCheckpointing = spec.Training.GradientCheckpointing;
    }

    /// <summary>Builds a registered loss, wrapped when the spec names a wrapper (e.g. MatryoshkaLoss).</summary>
    public static SentenceLoss CreateLoss(LossSpec lossSpec, SentenceTransformer model)
    {
        var inner = LossRegistry.Create(lossSpec.Name, model, new LossParameters(lossSpec.Params, lossSpec.Name), null);
        return lossSpec.Wrapper is { } wrapper
            ? LossRegistry.Create(wrapper.Name, model, new LossParameters(wrapper.Params, wrapper.Name), inner)
            : inner;
    }

    public string ModelType => "SentenceTransformer";
    public string BaseModel => spec.Model.Id;
    public nn.Module Model => model;
    public SentenceTransformer SentenceModel => model;
    public IReadOnlyList<PreparedDataset> TrainData { get; }
    public PreparedDataset? EvalData { get; }

    public string LossDescription => spec.Loss.Wrapper is { } w ? $"{w.Name}({spec.Loss.Name})" : spec.Loss.Name;

    public string EvaluatorDescription => evaluators.Count == 0
        ? "none"
        : string.Join(", ",
            evaluators.Select(e => e.Name.Length > 0 ? $"{e.GetType().Name}:{e.Name}" : e.GetType().Name));

    public IReadOnlyDictionary<string, object?> LossConfig => losses[0].Config;

    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters()
    {
        var result = model.named_parameters().ToList();
        var seen = new HashSet<Parameter>(result.Select(p => p.parameter), ReferenceEqualityComparer.Instance);
        for (int i = 0; i < losses.Count; i++)
            foreach (var (name, parameter) in losses[i].named_parameters())
                if (seen.Add(parameter)) result.Add(($"loss{i}.{name}", parameter));
        return result.Select(p => (p.name, p.parameter)).ToList();
    }

    public (Tensor Loss, bool OwnBackward) ComputeLoss(int datasetIndex, int[] rows, double gradientScale)
    {
        var data = TrainData[datasetIndex];
        var loss = losses[datasetIndex];
        var inputs = new List<Features>(data.InputColumns.Count);
        for (int c = 0; c < data.InputColumns.Count; c++)
        {
            string? prompt = columnPrompts.GetValueOrDefault(data.InputColumns[c]);
            inputs.Add(model.Tokenize(data.Texts(c, rows, prompt)));
        }
        var labels = data.Labels(rows)?.to(model.Device);
        loss.BackwardScale = gradientScale;
        return (loss.Compute(inputs, labels), loss.PerformsOwnBackward);
    }

    public IReadOnlyList<string> MetricKeys => evaluators.SelectMany(e => e.MetricKeys).ToList();

    public string? PrimaryMetricKey => evaluators.Count > 0 ? evaluators[0].PrimaryKey : null;

    public IReadOnlyDictionary<string, double> Evaluate()
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var evaluator in evaluators)
            foreach (var (key, value) in evaluator.Evaluate(model)) result[key] = value;
        model.train();
        return result;
    }

    public double EvalLoss(int batchSize)
    {
        if (EvalData is null) return double.NaN;
        var loss = spec.Losses.TryGetValue(EvalData.Name, out var named) ? CreateLoss(named, model) : losses[0];
        bool wasTraining = model.training;
        model.eval();
        double total = 0;
        int batches = 0;
        using (no_grad())
        {
            for (int start = 0; start < EvalData.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var rows = Enumerable.Range(start, Math.Min(batchSize, EvalData.Count - start)).ToArray();
                var inputs = Enumerable.Range(0, EvalData.InputColumns.Count)
                    .Select(c => model.Tokenize(
                        EvalData.Texts(c, rows, columnPrompts.GetValueOrDefault(EvalData.InputColumns[c]))))
                    .ToList();
                total += loss.Compute(inputs, EvalData.Labels(rows)?.to(model.Device)).item<float>();
                batches++;
            }
        }
        model.train(wasTraining);
        return total / Math.Max(1, batches);
    }

    public void Save(string directory)
    {
        if (spec.Model.SimilarityFunction is { } similarity) model.SimilarityFunctionName = similarity;
        model.Save(directory);
    }

    public void SaveTrainingState(string directory)
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < losses.Count; i++)
            foreach (var (name, parameter) in losses[i].named_parameters()) state[$"loss{i}.{name}"] = parameter;
        if (state.Count > 0) SafeTensorsFile.Save(Path.Combine(directory, LossStateFile), state);
    }

    public void Restore(string directory)
    {
        using var saved = SentenceTransformer.Load(directory, model.Device);
        var source = saved.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad())
        {
            foreach (var (name, parameter) in model.named_parameters())
            {
                if (!source.TryGetValue(name, out var value))
                    throw new InvalidDataException(
                        $"{directory} lacks the weight '{name}' of the model being trained.");
                parameter.copy_(value);
            }
            string lossState = Path.Combine(directory, LossStateFile);
            if (File.Exists(lossState))
            {
                var weights = SafeTensorsFile.Load(lossState);
                for (int i = 0; i < losses.Count; i++)
                    foreach (var (name, parameter) in losses[i].named_parameters())
                        if (weights.TryGetValue($"loss{i}.{name}", out var value)) parameter.copy_(value);
            }
        }
    }

    public void Dispose()
    {
        foreach (var loss in losses) loss.Dispose();
        model.Dispose();
    }
}
