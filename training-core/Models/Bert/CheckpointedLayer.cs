using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StTrain.Core.Models.Bert;

/// <summary>
/// Gradient checkpointing for one layer: the forward pass keeps no activations, and the backward pass runs the layer
/// again (with the random-number state of the first run, so dropout masks match) to get the gradients.
/// </summary>
internal sealed class CheckpointedLayer : autograd.SingleTensorFunction<CheckpointedLayer>
{
    public override string Name => nameof(CheckpointedLayer);

    public static Tensor Apply(Module<Tensor, Tensor, Tensor> layer, Tensor hidden, Tensor maskBias) =>
        apply(layer, hidden, maskBias);

    public override Tensor forward(autograd.AutogradContext context, params object[] vars)
    {
        var layer = (Module<Tensor, Tensor, Tensor>)vars[0];
        var hidden = (Tensor)vars[1];
        var maskBias = (Tensor)vars[2];
        context.save_data("layer", layer);
        context.save_data("rng", get_rng_state());
        context.save_data("precision", MixedPrecision.Current?.ToString() ?? "");
        context.save_for_backward([hidden, maskBias]);
        using var noGrad = no_grad();
        return layer.forward(hidden, maskBias);
    }

    public override List<Tensor> backward(autograd.AutogradContext context, Tensor gradOutput)
    {
        var layer = (Module<Tensor, Tensor, Tensor>)context.get_data("layer");
        var saved = context.get_saved_variables();
        var hidden = saved[0].detach().requires_grad_(true);
        var maskBias = saved[1];

        var current = get_rng_state();
        set_rng_state((Tensor)context.get_data("rng"));
        using (enable_grad())
        using (MixedPrecision.Use(Enum.TryParse<ScalarType>((string)context.get_data("precision"), out var dtype)
                   ? dtype : null))
        {
            var output = layer.forward(hidden, maskBias);
            autograd.backward([output], [gradOutput]);
        }
        set_rng_state(current);
        // One gradient per argument of apply(layer, hidden, maskBias): only the hidden state has one.
        return [null!, hidden.grad!, null!];
    }
}
