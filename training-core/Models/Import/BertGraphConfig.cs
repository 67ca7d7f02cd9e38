namespace StTrain.Core.Models.Import;

/// <summary>
/// The BERT hyper-parameters the importer read off an ONNX graph's structure and weight shapes (never off names).
/// </summary>
/// <param name="VocabSize">Rows of the word-embedding table.</param>
/// <param name="HiddenSize">Columns of the word-embedding table.</param>
/// <param name="NumHiddenLayers">Transformer blocks found by walking the residual stream.</param>
/// <param name="NumAttentionHeads">From the reshape that splits Q into heads, checked against the score scale.</param>
/// <param name="IntermediateSize">Output width of the first feed-forward projection.</param>
/// <param name="HiddenAct">Hugging Face name of the feed-forward activation ("gelu" for the erf form).</param>
/// <param name="MaxPositionEmbeddings">Rows of the position-embedding table.</param>
/// <param name="TypeVocabSize">Rows of the token-type embedding table.</param>
/// <param name="LayerNormEps">The epsilon added to the variance in every LayerNorm.</param>
/// <param name="HasPooler">Whether the graph carries BERT's pooler (dense + tanh on the first token).</param>
public sealed record BertGraphConfig(
    int VocabSize,
    int HiddenSize,
    int NumHiddenLayers,
    int NumAttentionHeads,
    int IntermediateSize,
    string HiddenAct,
    int MaxPositionEmbeddings,
    int TypeVocabSize,
    double LayerNormEps,
    bool HasPooler);
