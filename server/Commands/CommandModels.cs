using StTrain.Core.Models;
using static TorchSharp.torch;

namespace StTrain.Server.Commands;

/// <summary>Model loading for the CLI commands: what the load had to adjust is printed to stderr, not lost.</summary>
internal static class CommandModels
{
    /// <summary>Loads a SentenceTransformer (see <see cref="SentenceTransformer.Load"/>) and prints its
    /// warnings.</summary>
    public static SentenceTransformer LoadSentenceTransformer(string idOrPath, Device? device = null)
    {
        var model = SentenceTransformer.Load(idOrPath, device);
        foreach (string warning in model.Warnings) Console.Error.WriteLine($"warning: {warning}");
        return model;
    }
}
