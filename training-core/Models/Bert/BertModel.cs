using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StTrain.Core.Models.Bert;

/// <summary>
/// A BERT encoder whose sub-module names follow Hugging Face's BertModel, so its state dict reads and writes the
/// same keys as a Python checkpoint
/// (embeddings.word_embeddings.weight, encoder.layer.0.attention.self.query.weight…).
/// </summary>
public sealed class BertModel : Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly BertEmbeddings embeddings;
    private readonly BertEncoder encoder;
    private readonly BertPooler? pooler;

    public BertConfig Config { get; }

    public BertModel(BertConfig config) : base(nameof(BertModel))
    {
        Config = config;
        embeddings = new BertEmbeddings(config);
        encoder = new BertEncoder(config);
        pooler = config.HasPooler ? new BertPooler(config) : null;
        RegisterComponents();
    }

    /// <summary>Token embeddings of the last layer, [B, T, H].</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) =>
        ForwardAllLayers(inputIds, attentionMask, tokenTypeIds, keepAll: false)[^1];

    /// <summary>
    /// The embedding output followed by every layer's output ([B, T, H] each) when <paramref name="keepAll"/> is set;
    /// only the last layer's otherwise. <paramref name="layerCount"/> stops after that many layers.
    /// </summary>
    public IReadOnlyList<Tensor> ForwardAllLayers(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds,
        bool keepAll, int? layerCount = null)
    {
        var hidden = embeddings.forward(inputIds, tokenTypeIds);

        // Additive mask [B, 1, 1, T]: 0 where a token may be attended to, the dtype's minimum on padding.
        var keep = attentionMask.unsqueeze(1).unsqueeze(2).to(hidden.dtype);
        var bias = (1.0f - keep) * torch.finfo(hidden.dtype).min;

        var outputs = new List<Tensor>();
        if (keepAll) outputs.Add(hidden);
        hidden = encoder.forward(hidden, bias, keepAll ? outputs : null, layerCount);
        if (!keepAll) outputs.Add(hidden);
        return outputs;
    }

    /// <summary>
    /// Turns recomputation of each layer in the backward pass on or off (less memory, ~30% more time).
    /// </summary>
    public bool GradientCheckpointing
    {
        get => encoder.GradientCheckpointing;
        set => encoder.GradientCheckpointing = value;
    }

    public int LayerCount => Config.NumHiddenLayers;

    /// <summary>Whether the model has BertModel's pooler (checkpoints saved without one load without it).</summary>
    public bool HasPooler => pooler is not null;

    /// <summary>
    /// The pooler output tanh(W·h_CLS + b), [B, H], of last-layer token embeddings <paramref name="hidden"/> [B, T, H]:
    /// what sequence-classification heads read.
    /// </summary>
    public Tensor Pool(Tensor hidden) =>
        pooler?.forward(hidden) ?? throw new InvalidOperationException(
            "This BERT model has no pooler (its checkpoint had no pooler.dense weights); sequence classification " +
            "needs one.");
}
