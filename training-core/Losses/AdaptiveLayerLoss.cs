using StTrain.Core.Models;
using StTrain.Core.Models.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Adaptive layers (2D Matryoshka, Li et al. 2024): the inner loss is applied to the sentence embeddings of the last
/// layer and of n_layers_per_step randomly chosen earlier layers (the embedding output counts as layer 0), and each
/// earlier layer is also pulled towards the last one by a KL term:
/// loss = w_last * L(E_last) + sum_{k in S} [w_prior * w(k) / |S| * L(E_k)
///        + w_kl * T * KL(softmax(E_last / T) || softmax(E_k / T))],
/// where the softmax runs over the embedding dimension, E stacks every column's embeddings, the KL is averaged over
/// those rows ("batchmean") and the last layer's distribution is a fixed target (no gradient). w(k) is 1 (uniform),
/// 1 / (1 + ln(1 + k)) (log) or 1 / (1 + k) (linear). Defaults: n_layers_per_step 1 (&lt;= 0: all layers),
/// last_layer_weight 1, prior_layers_weight 1, kl_div_weight 1, kl_temperature 0.3 (&lt;= 0 turns the KL term off).
/// </summary>
/// <remarks>
/// The encoder runs once per column with every layer's output kept (BertModel.ForwardAllLayers); an earlier layer's
/// sentence embedding is the rest of the pipeline (Pooling, Dense, Normalize) applied to that layer's output. The
/// inner loss must work on embeddings (an <see cref="EmbeddingLoss"/>, MatryoshkaLoss included) and must not do its
/// own backward pass: cached (GradCache) losses cannot be wrapped, as in sentence-transformers.
/// </remarks>
public class AdaptiveLayerLoss : SentenceLoss
{
    // Named like the registered submodule, so TorchSharp's reflection finds it under the same key.
    private readonly EmbeddingLoss loss;

    public static readonly IReadOnlyList<string> LayerWeightings = ["uniform", "log", "linear"];

    public AdaptiveLayerLoss(
        SentenceTransformer? model,
        SentenceLoss loss,
        int nLayersPerStep = 1,
        double lastLayerWeight = 1.0,
        double priorLayersWeight = 1.0,
        double klDivWeight = 1.0,
        double klTemperature = 0.3,
        string layerWeighting = "uniform")
        : this(nameof(AdaptiveLayerLoss), model, loss, nLayersPerStep, lastLayerWeight, priorLayersWeight,
            klDivWeight, klTemperature, layerWeighting)
    {
    }

    protected AdaptiveLayerLoss(
        string name,
        SentenceTransformer? model,
        SentenceLoss loss,
        int nLayersPerStep,
        double lastLayerWeight,
        double priorLayersWeight,
        double klDivWeight,
        double klTemperature,
        string layerWeighting)
        : base(name, model)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (loss is not EmbeddingLoss embeddingLoss || loss.PerformsOwnBackward)
        {
            throw new ArgumentException($"{name}: the inner loss {loss.GetName()} cannot be applied per layer: it " +
                                        "must be computed from sentence embeddings in one autograd graph (cached " +
                                        "GradCache losses and losses with their own models do not fit). Fix: wrap a " +
                                        "loss such as MultipleNegativesRankingLoss, CoSENTLoss or MatryoshkaLoss.");
        }

        if (!LayerWeightings.Contains(layerWeighting))
        {
            throw new ArgumentException($"{name}: layer_weighting must be uniform, log or linear; got " +
                                        $"'{layerWeighting}'.");
        }

        this.loss = embeddingLoss;
        NLayersPerStep = nLayersPerStep;
        LastLayerWeight = lastLayerWeight;
        PriorLayersWeight = priorLayersWeight;
        KlDivWeight = klDivWeight;
        KlTemperature = klTemperature;
        LayerWeighting = layerWeighting;
        register_module("loss", this.loss);
    }

    /// <summary>The wrapped loss.</summary>
    public EmbeddingLoss Inner => loss;

    public int NLayersPerStep { get; }

    public double LastLayerWeight { get; }

    public double PriorLayersWeight { get; }

    public double KlDivWeight { get; }

    public double KlTemperature { get; }

    public string LayerWeighting { get; }

    public override IReadOnlyDictionary<string, object?> Config => new Dictionary<string, object?>
    {
        ["loss"] = Inner.GetName(),
        ["n_layers_per_step"] = NLayersPerStep,
        ["last_layer_weight"] = LastLayerWeight,
        ["prior_layers_weight"] = PriorLayersWeight,
        ["kl_div_weight"] = KlDivWeight,
        ["kl_temperature"] = KlTemperature,
        ["layer_weighting"] = LayerWeighting,
    };

    /// <summary>The weight w(k) of earlier layer k (0 = the embedding output).</summary>
    public double LayerWeight(int layer) => LayerWeighting switch
    {
        "log" => 1.0 / (1.0 + Math.Log(1 + layer)),
        "linear" => 1.0 / (1 + layer),
        _ => 1.0,
    };

    public override Tensor Compute(IReadOnlyList<Features> inputs, Tensor? labels)
    {
        var hidden = inputs.Select(column => Model.Transformer.Encoder.ForwardAllLayers(
            column[Features.InputIds], column[Features.AttentionMask], column[Features.TokenTypeIds],
            keepAll: true)).ToList();
        int layers = hidden[0].Count;
        return Combine(layer => inputs.Select((column, c) => Head(column, hidden[c][layer])).ToList(), layers,
            labels);
    }

    /// <summary>
    /// The loss from precomputed embeddings: <paramref name="layers"/>[k][c] is column c's [B, D] sentence embedding
    /// at layer k (k = 0 the embedding output, the last entry the final layer).
    /// </summary>
    public Tensor ComputeFromLayerEmbeddings(IReadOnlyList<IReadOnlyList<Tensor>> layers, Tensor? labels) =>
        Combine(layer => layers[layer], layers.Count, labels);

    private Tensor Combine(Func<int, IReadOnlyList<Tensor>> embeddingsOf, int layerCount, Tensor? labels)
    {
        IReadOnlyList<Tensor> final = embeddingsOf(layerCount - 1);
        Tensor total = Inner.ComputeFromEmbeddings(final, labels) * LastLayerWeight;
        IReadOnlyList<int> chosen = ChooseLayers(layerCount - 1);
        if (chosen.Count == 0) return total;
        Tensor? target = null;
        if (KlTemperature > 0)
        {
            Tensor finalRows = cat(final.ToArray(), 0).detach() / KlTemperature;
            target = nn.functional.log_softmax(finalRows, -1);
        }

        foreach (int layer in chosen)
        {
            IReadOnlyList<Tensor> embeddings = embeddingsOf(layer);
            Tensor layerLoss = Inner.ComputeFromEmbeddings(embeddings, labels);
            total = total + layerLoss * (LayerWeight(layer) / chosen.Count * PriorLayersWeight);
            if (target is null) continue;

            // KL(p || q) = sum p (log p - log q), averaged over the rows ("batchmean").
            Tensor logQ = nn.functional.log_softmax(cat(embeddings.ToArray(), 0) / KlTemperature, -1);
            Tensor kl = (target.exp() * (target - logQ)).sum() / logQ.shape[0];
            total = total + kl * (KlTemperature * KlDivWeight);
        }

        return total;
    }

    /// <summary>The earlier layers (0 .. count - 1) of this step: all, or n_layers_per_step drawn at random.</summary>
    private List<int> ChooseLayers(int count)
    {
        if (NLayersPerStep <= 0 || NLayersPerStep >= count) return Enumerable.Range(0, count).ToList();
        using Tensor order = randperm(count);
        return order.data<long>().Take(NLayersPerStep).Select(i => (int)i).Order().ToList();
    }

    /// <summary>The sentence embedding of one layer's token embeddings: the pipeline after the Transformer.</summary>
    private Tensor Head(Features column, Tensor tokenEmbeddings)
    {
        var features = new Features(column) { [Features.TokenEmbeddings] = tokenEmbeddings };
        foreach (PipelineModule stage in Model.Pipeline.Skip(1)) features = stage.forward(features);
        return features.TryGetValue(Features.SentenceEmbedding, out Tensor? embedding)
            ? embedding
            : throw new InvalidOperationException($"{GetName()}: the model's pipeline produced no " +
                                                  "'sentence_embedding'. It needs a Pooling module after the " +
                                                  "Transformer.");
    }
}
