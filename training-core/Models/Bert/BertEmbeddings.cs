using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StTrain.Core.Models.Bert;

/// <summary>Word + position + token-type embeddings, then LayerNorm and dropout.</summary>
internal sealed class BertEmbeddings : Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names are the checkpoint's key names.
    private readonly Embedding word_embeddings;
    private readonly Embedding position_embeddings;
    private readonly Embedding token_type_embeddings;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;
#pragma warning restore IDE1006

    public BertEmbeddings(BertConfig config) : base(nameof(BertEmbeddings))
    {
        word_embeddings = Embedding(config.VocabSize, config.HiddenSize, padding_idx: config.PadTokenId);
        position_embeddings = Embedding(config.MaxPositionEmbeddings, config.HiddenSize);
        token_type_embeddings = Embedding(config.TypeVocabSize, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = Dropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    public override Tensor forward(Tensor inputIds, Tensor tokenTypeIds)
    {
        long length = inputIds.shape[1];
        using var positions = arange(length, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0);
        var summed = word_embeddings.forward(inputIds)
                     + position_embeddings.forward(positions)
                     + token_type_embeddings.forward(tokenTypeIds);
        return dropout.forward(LayerNorm.forward(summed));
    }
}
