using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Models;

/// <summary>
/// PLACEHOLDER in branch h3-losses only, so the losses compile before the lead's Models land; deleted on merge.
/// </summary>
public sealed class Features : Dictionary<string, Tensor>, IDisposable
{
    public void Dispose()
    {
        foreach (Tensor t in Values) t.Dispose();
        Clear();
    }
}
