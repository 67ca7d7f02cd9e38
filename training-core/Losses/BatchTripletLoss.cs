using StTrain.Core.Models;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Common part of the batch triplet losses: one text column with an integer class label per row; triplets are
/// formed inside the batch (the batch should hold several rows per class, e.g. with the group_by_label sampler).
/// </summary>
public abstract class BatchTripletLoss : EmbeddingLoss
{
    protected BatchTripletLoss(string name, SentenceTransformer? model, string distanceMetric, double margin)
        : base(name, model)
    {
        DistanceMetric = BatchTripletDistances.Parse(name, distanceMetric);
        Margin = margin;
    }

    /// <summary>"euclidean_distance" or "cosine_distance".</summary>
    public string DistanceMetric { get; }

    public double Margin { get; }

    public override IReadOnlyDictionary<string, object?> Config => new Dictionary<string, object?>
    {
        ["distance_metric"] = DistanceMetric,
        ["margin"] = Margin,
    };

    public override Tensor ComputeFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels)
    {
        RequireColumns(embeddings.Count, 1, 1, "one text column");
        Tensor classes = RequireLabels(labels, "an integer class id per row").view(-1);
        return FromDistances(BatchTripletDistances.Matrix(DistanceMetric, embeddings[0]), classes);
    }

    /// <summary>The loss from the [B, B] distance matrix and the [B] class labels.</summary>
    protected abstract Tensor FromDistances(Tensor distances, Tensor labels);
}
