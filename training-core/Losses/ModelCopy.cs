using StTrain.Core.Models;

namespace StTrain.Core.Losses;

/// <summary>
/// An independent deep copy of a model (own weights, same pipeline, tokenizer and device), made by writing the model
/// to a temporary folder and loading it back: the save format already covers every pipeline module, so the copy
/// cannot silently miss one.
/// </summary>
internal static class ModelCopy
{
    public static SentenceTransformer Of(SentenceTransformer model)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"st-train-model-copy-{Guid.NewGuid():N}");
        try
        {
            model.Save(folder);
            SentenceTransformer copy = SentenceTransformer.Load(folder, model.Device);
            copy.SimilarityFunctionName = model.SimilarityFunctionName;
            copy.train(model.training);
            return copy;
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
