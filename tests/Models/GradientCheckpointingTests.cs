using StTrain.Core.Models;
using StTrain.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace StTrain.Tests.Models;

[Collection("training runs")]
public sealed class GradientCheckpointingTests
{
    private static Dictionary<string, Tensor> Gradients(bool checkpointing)
    {
        using var model = TinyModels.Create(seed: 3);
        model.Transformer.Encoder.GradientCheckpointing = checkpointing;
        model.train();
        manual_seed(99);
        var embeddings = model.EmbedForTraining(["the dog is in the house", "a big red car on the road", "fish"]);
        var loss = embeddings.pow(2).sum() + embeddings[0].dot(embeddings[1]);
        loss.backward();
        // The BERT pooler is not part of the sentence embedding, so it gets no gradient.
        return model.named_parameters().Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.clone());
    }

    [Fact]
    public void Recomputing_layers_in_backward_gives_the_same_gradients_with_dropout_on()
    {
        var plain = Gradients(checkpointing: false);
        var checkpointed = Gradients(checkpointing: true);
        Assert.Equal(plain.Keys.Order(), checkpointed.Keys.Order());
        Assert.Contains("0.auto_model.encoder.layer.0.attention.self.query.weight", plain.Keys);
        foreach (var (name, gradient) in plain)
        {
            Assert.True(gradient.abs().sum().item<float>() > 0, $"{name} got a zero gradient");
            Assert.True(gradient.allclose(checkpointed[name], rtol: 1e-4, atol: 1e-6), $"{name} differs");
        }
    }
}
