using StTrain.Core.Models;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// A loss defined on sentence embeddings: it embeds every input column with the model (with autograd) and then
/// applies <see cref="ComputeFromEmbeddings"/>, which tests and wrapper losses (MatryoshkaLoss) call directly.
/// </summary>
public abstract class EmbeddingLoss : SentenceLoss
{
    protected EmbeddingLoss(string name, SentenceTransformer? model) : base(name, model)
    {
    }

    public override Tensor Compute(IReadOnlyList<Features> inputs, Tensor? labels) =>
        ComputeFromEmbeddings(Embed(inputs), labels);

    /// <summary>The loss from one [B, D] embedding tensor per input column.</summary>
    public abstract Tensor ComputeFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels);

    /// <summary>Runs the model on each column and returns its "sentence_embedding" ([B, D], with grad).</summary>
    public IReadOnlyList<Tensor> Embed(IReadOnlyList<Features> inputs)
    {
        var embeddings = new List<Tensor>(inputs.Count);
        foreach (Features column in inputs)
        {
            Features output = Model.forward(column);
            if (!output.TryGetValue("sentence_embedding", out Tensor? embedding))
            {
                throw new InvalidOperationException(
                    $"{GetName()}: the model's forward pass produced no 'sentence_embedding'. The model needs a " +
                    "Pooling module (modules.json: Transformer -> Pooling).");
            }

            embeddings.Add(embedding);
        }

        return embeddings;
    }
}
