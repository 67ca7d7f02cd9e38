using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StTrain.Core.Training;

/// <summary>
/// What the trainer needs from one model type (bi-encoder, cross-encoder, sparse encoder): the model, how a batch
/// of rows becomes a loss, how the model is evaluated, and how it is saved and restored. The trainer owns the loop,
/// the schedule, checkpoints and the run contracts, and is the same for every model type.
/// </summary>
public interface ITrainingTask : IDisposable
{
    /// <summary>SentenceTransformer | CrossEncoder | SparseEncoder.</summary>
    string ModelType { get; }

    /// <summary>The id or path the model started from (model cards, experiments rows).</summary>
    string BaseModel { get; }

    nn.Module Model { get; }

    /// <summary>The training datasets, in spec order.</summary>
    IReadOnlyList<PreparedDataset> TrainData { get; }

    PreparedDataset? EvalData { get; }

    /// <summary>Model parameters and the loss's own parameters, each once.</summary>
    IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters();

    /// <summary>
    /// The loss of the given rows of dataset <paramref name="datasetIndex"/>. When <c>OwnBackward</c> is true the
    /// gradients (scaled by <paramref name="gradientScale"/>) are already accumulated and the loss is detached.
    /// </summary>
    (Tensor Loss, bool OwnBackward) ComputeLoss(int datasetIndex, int[] rows, double gradientScale);

    /// <summary>Metric keys every <see cref="Evaluate"/> call returns (without the eval_ prefix).</summary>
    IReadOnlyList<string> MetricKeys { get; }

    /// <summary>The primary metric key of the first evaluator (without eval_), or null when there is none.</summary>
    string? PrimaryMetricKey { get; }

    /// <summary>Runs every evaluator on the current model.</summary>
    IReadOnlyDictionary<string, double> Evaluate();

    /// <summary>Mean loss over the eval dataset, without gradients.</summary>
    double EvalLoss(int batchSize);

    /// <summary>Describes the loss and evaluators for logs, model cards and experiments rows.</summary>
    string LossDescription { get; }
    string EvaluatorDescription { get; }
    IReadOnlyDictionary<string, object?> LossConfig { get; }

    /// <summary>Writes a loadable model folder.</summary>
    void Save(string directory);

    /// <summary>Writes what a checkpoint needs beyond the model (e.g. a loss's own head).</summary>
    void SaveTrainingState(string directory);

    /// <summary>Restores the model weights (and training state, when present) from a saved folder.</summary>
    void Restore(string directory);
}
