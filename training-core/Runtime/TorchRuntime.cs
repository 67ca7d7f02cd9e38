using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace StTrain.Core.Runtime;

/// <summary>
/// Prepares the native TorchSharp runtime and chooses the device every model and tensor lives on.
/// </summary>
public static class TorchRuntime
{
    private const int RtldNow = 0x2;
    private const int RtldGlobal = 0x100;
    private static readonly object Gate = new();
    private static bool initialized;

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern IntPtr DlOpen(string fileName, int flags);

    [DllImport("libc", EntryPoint = "dlerror")]
    private static extern IntPtr DlError();

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

    /// <summary>
    /// Runs before any other code of this assembly, so TorchSharp never loads without the compat shim.
    /// </summary>
#pragma warning disable CA2255 // The shim must be in place before any TorchSharp type initialises.
    [ModuleInitializer]
    internal static void OnModuleLoad() => Initialize();
#pragma warning restore CA2255

    /// <summary>
    /// Loads the libstdc++ compat library (built next to the application on hosts older than GCC 13) into the global
    /// symbol scope, so the patched libLibTorchSharp.so finds std::ios_base_library_init there. A no-op elsewhere.
    /// </summary>
    public static void Initialize()
    {
        lock (Gate)
        {
            if (initialized) return;
            initialized = true;
            if (!OperatingSystem.IsLinux()) return;

            // libtorch's OpenMP workers spin while they wait for work by default. When the cores are shared (other
            // processes, or tests running in parallel in this process) the spinning starves the real work: encoding
            // measured 5x slower here. Passive waiting costs little on an idle machine. The variable must reach the
            // native environment before libgomp loads; a value the user set is kept.
            SetEnv("OMP_WAIT_POLICY", "PASSIVE", overwrite: 0);

            string compat = Path.Combine(AppContext.BaseDirectory, "libststdcompat.so");
            if (!File.Exists(compat)) return;
            if (DlOpen(compat, RtldNow | RtldGlobal) == IntPtr.Zero)
            {
                string reason = Marshal.PtrToStringAnsi(DlError()) ?? "unknown error";
                throw new InvalidOperationException(
                    $"Could not load {compat} ({reason}). Rebuild the project so the compat library is rebuilt.");
            }
        }
    }

    /// <summary>
    /// The device for models and tensors: CUDA when TorchSharp reports a usable GPU (needs the TorchSharp-cuda
    /// package instead of TorchSharp-cpu), otherwise CPU. ST_TRAIN_DEVICE=cpu|cuda|cuda:N overrides.
    /// </summary>
    public static torch.Device DefaultDevice
    {
        get
        {
            string? requested = Environment.GetEnvironmentVariable("ST_TRAIN_DEVICE");
            if (!string.IsNullOrWhiteSpace(requested)) return new torch.Device(requested);
            return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        }
    }
}
