namespace StTrain.Skill.Routing;

/// <summary>The three sentence-transformers model families a run can train.</summary>
public enum ModelType
{
    /// <summary>Bi-encoder: one dense vector per text (retrieval, similarity, clustering).</summary>
    SentenceTransformer,

    /// <summary>Reranker: scores a (query, passage) pair jointly.</summary>
    CrossEncoder,

    /// <summary>SPLADE: sparse vocabulary-sized vectors for inverted-index retrieval.</summary>
    SparseEncoder,
}
