using static TorchSharp.torch.nn;

namespace StTrain.Core.Models.Modules;

/// <summary>L2-normalises the sentence embedding, so dot product equals cosine similarity. Has no files.</summary>
public sealed class Normalize : PipelineModule
{
    public Normalize() : base(nameof(Normalize)) { }

    public override string TypeName => "sentence_transformers.models.Normalize";

    public override string DefaultFolderName(int index) => $"{index}_Normalize";

    public override Features forward(Features features) => new(features)
    {
        [Features.SentenceEmbedding] = functional.normalize(features[Features.SentenceEmbedding], p: 2, dim: 1),
    };

    public override void Save(string directory) { }
}
