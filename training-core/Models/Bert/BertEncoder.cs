using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StTrain.Core.Models.Bert;

/// <summary>The stack of transformer layers (checkpoint prefix "encoder.layer.N").</summary>
internal sealed class BertEncoder : Module<Tensor, Tensor, Tensor>
{
    private readonly ModuleList<BertLayer> layer;

    public bool GradientCheckpointing { get; set; }

    public BertEncoder(BertConfig config) : base(nameof(BertEncoder))
    {
        layer = new ModuleList<BertLayer>(
            Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new BertLayer(config)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor maskBias) => forward(hidden, maskBias, null, null);

    public Tensor forward(Tensor hidden, Tensor maskBias, List<Tensor>? allLayers, int? layerCount)
    {
        int count = Math.Min(layerCount ?? layer.Count, layer.Count);
        for (int i = 0; i < count; i++)
        {
            hidden = GradientCheckpointing && is_grad_enabled() && training
                ? CheckpointedLayer.Apply(layer[i], hidden, maskBias)
                : layer[i].forward(hidden, maskBias);
            allLayers?.Add(hidden);
        }
        return hidden;
    }
}
