using System.Diagnostics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StTrain.Core.Models;

/// <summary>
/// bf16 mixed precision for the transformer, the way autocast does it: inside a <see cref="Use"/> scope the
/// transformer's matrix products (the linear projections and attention) run in bfloat16, while the weights, their
/// gradients, the optimizer, residual sums, LayerNorm, pooling and the loss stay in float32. The weights are cast per
/// call, so gradients reach the float32 master copies through the casts.
/// </summary>
/// <remarks>
/// TorchSharp has no autocast, so the BERT modules ask <see cref="Linear"/> and <see cref="Current"/> themselves.
/// The scope is per thread; gradient checkpointing records the dtype with each layer and restores it when the layer
/// is run again in the backward pass, whatever thread that pass runs on.
/// </remarks>
public static class MixedPrecision
{
    [ThreadStatic] private static ScalarType? current;

    /// <summary>The compute dtype of matrix products on this thread, or null for the weights' own (float32).</summary>
    public static ScalarType? Current => current;

    /// <summary>Runs the matrix products in <paramref name="dtype"/> until disposed; null turns it off.</summary>
    public static IDisposable Use(ScalarType? dtype)
    {
        var previous = current;
        current = dtype;
        return new Restore(previous);
    }

    /// <summary>The layer applied to <paramref name="input"/>, in the current compute dtype.</summary>
    public static Tensor Linear(Linear layer, Tensor input)
    {
        if (current is not { } dtype) return layer.forward(input);
        using var weight = layer.weight!.to(dtype);
        using var bias = layer.bias?.to(dtype);
        return nn.functional.linear(input.dtype == dtype ? input : input.to(dtype), weight, bias);
    }

    /// <summary>
    /// Whether bf16 matrix products beat float32 on <paramref name="device"/>: true on CUDA; on a CPU, measured on
    /// a product of the size a small encoder multiplies (CPUs without bf16 units emulate it and are slower).
    /// </summary>
    public static (bool Faster, double SpeedRatio) Bf16PaysOff(Device device)
    {
        if (device.type == TorchSharp.DeviceType.CUDA) return (true, double.NaN);
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var a = randn(512, 384, device: device);
        var b = randn(384, 1536, device: device);
        double Time(ScalarType type)
        {
            var x = a.to(type);
            var y = b.to(type);
            matmul(x, y); // warm-up
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < 5; i++) matmul(x, y);
            return clock.Elapsed.TotalSeconds;
        }
        double fp32 = Time(ScalarType.Float32), bf16 = Time(ScalarType.BFloat16);
        double ratio = fp32 / bf16;
        return (ratio > 1.0, ratio);
    }

    private sealed class Restore(ScalarType? previous) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            current = previous;
        }
    }
}
