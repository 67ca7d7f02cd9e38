using StTrain.Core.Models;

namespace StTrain.Core.Losses;

/// <summary>
/// 2D Matryoshka (Li et al. 2024): <see cref="AdaptiveLayerLoss"/> around a <see cref="MatryoshkaLoss"/> around
/// the given loss, so the inner loss is applied over both layers and truncated dimensions. Defaults as in
/// sentence-transformers: n_layers_per_step 1 and n_dims_per_step 1 (one random earlier layer and one random
/// dimension per step; the last layer always counts), weights 1, kl_temperature 0.3.
/// </summary>
public sealed class Matryoshka2dLoss : AdaptiveLayerLoss
{
    public Matryoshka2dLoss(
        SentenceTransformer? model,
        SentenceLoss loss,
        IReadOnlyList<int> matryoshkaDims,
        IReadOnlyList<double>? matryoshkaWeights = null,
        int nLayersPerStep = 1,
        int nDimsPerStep = 1,
        double lastLayerWeight = 1.0,
        double priorLayersWeight = 1.0,
        double klDivWeight = 1.0,
        double klTemperature = 0.3,
        string layerWeighting = "uniform")
        : base(nameof(Matryoshka2dLoss), model,
            new MatryoshkaLoss(model, loss, matryoshkaDims, matryoshkaWeights, nDimsPerStep), nLayersPerStep,
            lastLayerWeight, priorLayersWeight, klDivWeight, klTemperature, layerWeighting)
    {
    }

    /// <summary>The MatryoshkaLoss between this loss and the given one.</summary>
    public MatryoshkaLoss Matryoshka => (MatryoshkaLoss)Inner;

    public override IReadOnlyDictionary<string, object?> Config
    {
        get
        {
            var config = new Dictionary<string, object?>(base.Config);
            foreach ((string key, object? value) in Matryoshka.Config) config[key] = value;
            return config;
        }
    }
}
