using StTrain.Skill.Routing;
using Xunit;

namespace StTrain.Tests.Skill;

public sealed class ModelTypeRouterTests
{
    [Theory]
    [InlineData("Fine-tune an embedding model for our product catalogue", ModelType.SentenceTransformer)]
    [InlineData("I need better vector search over support tickets", ModelType.SentenceTransformer)]
    [InlineData("Score the semantic similarity of two sentences", ModelType.SentenceTransformer)]
    [InlineData("Cluster news headlines by topic", ModelType.SentenceTransformer)]
    [InlineData("train a bi-encoder, not a reranker", ModelType.SentenceTransformer)]
    [InlineData("Train a reranker for our search results", ModelType.CrossEncoder)]
    [InlineData("Rerank the top-100 hits from the vector search", ModelType.CrossEncoder)]
    [InlineData("We want a two-stage retrieval pipeline; build the second stage", ModelType.CrossEncoder)]
    [InlineData("fine-tune a cross-encoder on query/passage relevance", ModelType.CrossEncoder)]
    [InlineData("improve our ranker for e-commerce queries", ModelType.CrossEncoder)]
    [InlineData("Train a SPLADE model", ModelType.SparseEncoder)]
    [InlineData("a sparse embedding model for Elasticsearch", ModelType.SparseEncoder)]
    [InlineData("learned sparse retrieval that fits our inverted index", ModelType.SparseEncoder)]
    [InlineData("something that plugs into OpenSearch's inverted index", ModelType.SparseEncoder)]
    public void Routes_requests_by_their_cues(string task, ModelType expected)
    {
        var decision = ModelTypeRouter.Route(task);

        Assert.False(decision.Ambiguous, decision.Reason);
        Assert.Equal(expected, decision.ModelType);
    }

    [Theory]
    [InlineData("Make our search better")]
    [InlineData("train a model")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("train an embedding model and a reranker for our two-stage retrieval")]
    [InlineData("Do we need a cross-encoder or a SPLADE model?")]
    public void Requests_without_a_single_kind_are_ambiguous_with_a_reason(string? task)
    {
        var decision = ModelTypeRouter.Route(task);

        Assert.True(decision.Ambiguous);
        Assert.Null(decision.ModelType);
        Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
    }

    [Fact]
    public void A_negated_cue_does_not_count()
    {
        Assert.Equal(ModelType.SentenceTransformer,
            ModelTypeRouter.Route("dense embeddings without sparse vectors").ModelType);
    }

    [Fact]
    public void Ties_between_tiebreakers_go_to_the_more_specific_type_and_say_so()
    {
        var decision = ModelTypeRouter.Route("rerank by similarity");

        Assert.Equal(ModelType.CrossEncoder, decision.ModelType);
        Assert.Contains("Tiebreak", decision.Reason);
    }

    [Fact]
    public void Only_the_first_part_of_a_huge_request_is_read_and_negation_still_works_deep_inside_it()
    {
        // A client may send megabytes; routing reads a bounded prefix (this once took minutes on 200,000 words).
        string filler = string.Concat(Enumerable.Repeat("lorem ", 600));
        Assert.Equal(ModelType.SentenceTransformer,
            ModelTypeRouter.Route(filler + "not a reranker, an embedding model").ModelType);
        Assert.True(ModelTypeRouter.Route(new string('x', ModelTypeRouter.MaxTaskCharacters) + " reranker").Ambiguous);
        Assert.Equal(ModelType.SentenceTransformer,
            ModelTypeRouter.Route(string.Concat(Enumerable.Repeat("embedding ", 200_000))).ModelType);
    }
}
