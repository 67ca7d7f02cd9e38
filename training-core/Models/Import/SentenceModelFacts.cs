namespace StTrain.Core.Models.Import;

/// <summary>
/// What a sentence-transformers folder needs beyond the encoder weights, none of which an encoder graph records:
/// how token embeddings are pooled, whether the result is L2-normalised, the sequence cap, the tokenizer casing and
/// the prompts. These come from the upstream model's published configuration files.
/// </summary>
/// <param name="ModelId">Hub id recorded as provenance, e.g. "sentence-transformers/all-MiniLM-L6-v2".</param>
/// <param name="Pooling">"mean" or "cls".</param>
/// <param name="Normalize">Whether a Normalize module follows pooling.</param>
/// <param name="MaxSeqLength">sentence_bert_config.json max_seq_length (tokens, [CLS] and [SEP] included).</param>
/// <param name="DoLowerCase">The tokenizer lower-cases (and strips accents from) the text.</param>
/// <param name="TokenizerModelMaxLength">tokenizer_config.json model_max_length.</param>
/// <param name="Prompts">Named prompts prepended to the text, e.g. "query".</param>
/// <param name="DefaultPromptName">Prompt used when the caller names none, or null.</param>
/// <param name="SimilarityFnName">"cosine", "dot", "euclidean" or "manhattan".</param>
public sealed record SentenceModelFacts(
    string ModelId,
    string Pooling,
    bool Normalize,
    int MaxSeqLength,
    bool DoLowerCase,
    int TokenizerModelMaxLength,
    IReadOnlyDictionary<string, string> Prompts,
    string? DefaultPromptName = null,
    string SimilarityFnName = "cosine");
