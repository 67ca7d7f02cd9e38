using StTrain.Core.Models.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Models.Bert;

/// <summary>
/// Reads the BERT weights of a model folder's model.safetensors into a <see cref="BertModel"/>. Checkpoints saved
/// from a Hugging Face BertFor* head prefix the encoder's keys with "bert."; that prefix is removed, and the head's
/// own keys (e.g. "classifier.weight") are returned unchanged next to the encoder's.
/// </summary>
internal static class BertCheckpoint
{
    public const string FileName = "model.safetensors";

    /// <summary>Every tensor of <paramref name="directory"/>/model.safetensors, "bert." stripped.</summary>
    public static Dictionary<string, Tensor> ReadWeights(string directory)
    {
        string safetensors = Path.Combine(directory, FileName);
        if (!File.Exists(safetensors))
        {
            string found = File.Exists(Path.Combine(directory, "pytorch_model.bin"))
                ? " It has pytorch_model.bin, a pickle file that st-train does not read; convert it to safetensors."
                : "";
            throw new FileNotFoundException($"{directory} has no {FileName}.{found}");
        }

        // The position_ids buffer some checkpoints carry is derived, not learned.
        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in SafeTensorsFile.Load(safetensors))
        {
            string name = key.StartsWith("bert.", StringComparison.Ordinal) ? key[5..] : key;
            if (name.EndsWith("position_ids", StringComparison.Ordinal)) { value.Dispose(); continue; }
            weights[name] = value;
        }
        return weights;
    }

    /// <summary>
    /// Copies the weights into <paramref name="model"/>'s parameters, checking shapes. A parameter for which
    /// <paramref name="mayBeMissing"/> holds keeps its initial value when the file lacks it; any other missing
    /// parameter is an error. Returns the names that kept their initial value.
    /// </summary>
    public static IReadOnlyList<string> CopyInto(BertModel model, IReadOnlyDictionary<string, Tensor> weights,
        string directory, Func<string, bool>? mayBeMissing = null)
    {
        var missing = new List<string>();
        var kept = new List<string>();
        using (no_grad())
        {
            foreach (var (name, parameter) in model.named_parameters())
            {
                if (!weights.TryGetValue(name, out var source))
                {
                    (mayBeMissing?.Invoke(name) == true ? kept : missing).Add(name);
                    continue;
                }
                if (!source.shape.SequenceEqual(parameter.shape))
                    throw new InvalidDataException(
                        $"{directory}/{FileName}: '{name}' has shape [{string.Join(", ", source.shape)}] but " +
                        $"config.json implies [{string.Join(", ", parameter.shape)}].");
                parameter.copy_(source.to(parameter.dtype));
            }
        }
        if (missing.Count > 0)
            throw new InvalidDataException(
                $"{directory}/{FileName} lacks {missing.Count} weight(s) the BERT encoder needs, e.g. " +
                $"{string.Join(", ", missing.Take(3))}.");
        return kept;
    }
}
