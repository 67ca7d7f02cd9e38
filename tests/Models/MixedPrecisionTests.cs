using StTrain.Core.Models;
using StTrain.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace StTrain.Tests.Models;

[Collection("training runs")]
public sealed class MixedPrecisionTests
{
    private static readonly string[] Texts = ["the dog is in the house", "a big red car on the road", "fish"];

    private static (Tensor Embeddings, Dictionary<string, Tensor> Gradients) Step(ScalarType? compute,
        bool checkpointing = false, bool dropout = false)
    {
        using var model = TinyModels.Create(seed: 3);
        model.Transformer.Encoder.GradientCheckpointing = checkpointing;
        if (dropout) model.train();
        else model.eval();
        manual_seed(99);
        Tensor embeddings;
        using (MixedPrecision.Use(compute)) embeddings = model.EmbedForTraining(Texts);
        var loss = embeddings.pow(2).sum() + embeddings[0].dot(embeddings[1]);
        loss.backward();
        var gradients = model.named_parameters().Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        return (embeddings.detach().clone(), gradients);
    }

    private static double Cosine(Tensor a, Tensor b) =>
        nn.functional.cosine_similarity(a.flatten(), b.flatten(), dim: 0).item<float>();

    [Fact]
    public void Bf16_products_stay_close_to_float32_and_gradients_reach_the_float32_weights()
    {
        var (fp32, fp32Grads) = Step(null);
        var (bf16, bf16Grads) = Step(ScalarType.BFloat16);

        Assert.Equal(ScalarType.Float32, bf16.dtype); // LayerNorm and pooling stay in float32
        Assert.False(fp32.allclose(bf16, rtol: 0, atol: 1e-7), "the bf16 scope changed nothing");
        for (int i = 0; i < Texts.Length; i++)
            Assert.True(Cosine(fp32[i], bf16[i]) > 0.995, $"text {i}: {Cosine(fp32[i], bf16[i])}");

        Assert.Equal(fp32Grads.Keys.Order(), bf16Grads.Keys.Order());
        foreach (var (name, gradient) in bf16Grads)
        {
            Assert.Equal(ScalarType.Float32, gradient.dtype);
            // Softmax ignores a shift shared by all keys, so the key bias's true gradient is zero: both are noise.
            if (name.EndsWith("attention.self.key.bias", StringComparison.Ordinal)) continue;
            // bf16 keeps 8 bits of mantissa: the direction survives, the digits do not (0.98+ seen on x86-64).
            Assert.True(Cosine(fp32Grads[name], gradient) > 0.95, $"{name}: {Cosine(fp32Grads[name], gradient)}");
        }
        Assert.Null(MixedPrecision.Current); // the scope ended
    }

    [Fact]
    public void A_checkpointed_layer_is_replayed_in_the_precision_it_first_ran_in()
    {
        // The replay happens in backward, after the scope has closed: it must still run in bf16 to give the same
        // gradients as the plain bf16 pass.
        var (_, plain) = Step(ScalarType.BFloat16, checkpointing: false, dropout: true);
        var (_, checkpointed) = Step(ScalarType.BFloat16, checkpointing: true, dropout: true);
        foreach (var (name, gradient) in plain)
            Assert.True(gradient.allclose(checkpointed[name], rtol: 1e-3, atol: 1e-6), $"{name} differs");
    }

    [Fact]
    public void The_scope_nests_and_restores()
    {
        using (MixedPrecision.Use(ScalarType.BFloat16))
        {
            using (MixedPrecision.Use(null)) Assert.Null(MixedPrecision.Current);
            Assert.Equal(ScalarType.BFloat16, MixedPrecision.Current);
        }
        Assert.Null(MixedPrecision.Current);
    }
}
