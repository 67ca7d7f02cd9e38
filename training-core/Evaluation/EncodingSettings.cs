using StTrain.Core.Models;
using static TorchSharp.torch;

namespace StTrain.Core.Evaluation;

/// <summary>
/// How an evaluator encodes its texts: batch size, Matryoshka truncation and prompts. Queries and documents follow
/// sentence-transformers' encode_query / encode_document: without an explicit prompt, a model prompt named "query"
/// is used for queries, and the first of "document", "passage", "corpus" for documents.
/// </summary>
public sealed record EncodingSettings
{
    public int BatchSize { get; init; } = 32;

    public int? TruncateDim { get; init; }

    public string? QueryPrompt { get; init; }

    public string? QueryPromptName { get; init; }

    public string? DocumentPrompt { get; init; }

    public string? DocumentPromptName { get; init; }

    private static readonly string[] DocumentPromptNames = ["document", "passage", "corpus"];

    /// <summary>Plain encoding (no query/document prompt selection).</summary>
    public Tensor Encode(SentenceTransformer model, IReadOnlyList<string> texts) =>
        model.EncodeToTensor(texts, new EncodeOptions { BatchSize = BatchSize, TruncateDim = TruncateDim });

    public Tensor EncodeQueries(SentenceTransformer model, IReadOnlyList<string> texts)
    {
        string? name = QueryPromptName;
        if (QueryPrompt is null && name is null && model.Prompts.ContainsKey("query")) name = "query";
        return model.EncodeToTensor(texts, new EncodeOptions
        {
            BatchSize = BatchSize, TruncateDim = TruncateDim, Prompt = QueryPrompt, PromptName = name,
        });
    }

    public Tensor EncodeDocuments(SentenceTransformer model, IReadOnlyList<string> texts)
    {
        string? name = DocumentPromptName;
        if (DocumentPrompt is null && name is null)
        {
            name = DocumentPromptNames.FirstOrDefault(model.Prompts.ContainsKey);
        }

        return model.EncodeToTensor(texts, new EncodeOptions
        {
            BatchSize = BatchSize, TruncateDim = TruncateDim, Prompt = DocumentPrompt, PromptName = name,
        });
    }
}
