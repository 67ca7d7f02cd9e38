using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// The random-number state before a forward pass, so that a second pass over the same inputs draws the same dropout
/// masks. The CPU generator state is copied; TorchSharp exposes no CUDA generator state, so on CUDA a fresh seed is
/// drawn from the CPU generator and applied with cuda.manual_seed before both passes instead.
/// </summary>
internal sealed class RngSnapshot : IDisposable
{
    private readonly Tensor cpuState;
    private readonly long? cudaSeed;

    private RngSnapshot(Tensor cpuState, long? cudaSeed)
    {
        this.cpuState = cpuState;
        this.cudaSeed = cudaSeed;
    }

    public static RngSnapshot Capture(Device device)
    {
        long? seed = null;
        if (device.type == DeviceType.CUDA)
        {
            using Tensor draw = randint(long.MaxValue, [1], dtype: ScalarType.Int64);
            seed = draw.item<long>();
            cuda.manual_seed(seed.Value);
        }

        Tensor state = get_rng_state();
        state.DetachFromDisposeScope();
        return new RngSnapshot(state, seed);
    }

    public void Restore()
    {
        set_rng_state(cpuState);
        if (cudaSeed is long seed) cuda.manual_seed(seed);
    }

    public void Dispose() => cpuState.Dispose();
}
