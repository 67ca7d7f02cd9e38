using StTrain.Core.Data;
using StTrain.Core.Evaluation;
using StTrain.Core.Training.Spec;
using StTrain.Tests.Support;
using StTrain.Tests.Losses;
using Xunit;

namespace StTrain.Tests.Evaluation;

[Collection(TorchRandomCollection.Name)]
public sealed class EvaluatorRegistryTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("st-train-eval-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static TabularDataset Table(string[] columns, params object?[][] rows) =>
        new(columns, rows.Select(r => (IReadOnlyList<object?>)r));

    [Fact]
    public void RegistersTheUpstreamNamesWithTheirPrimaryMetrics()
    {
        Assert.Equal(
        [
            "InformationRetrievalEvaluator", "EmbeddingSimilarityEvaluator", "BinaryClassificationEvaluator",
            "TripletEvaluator", "RerankingEvaluator", "MSEEvaluator", "TranslationEvaluator",
            "ParaphraseMiningEvaluator", "LabelAccuracyEvaluator", "SequentialEvaluator",
        ], EvaluatorRegistry.Names());
        Assert.Equal("cosine_ndcg@10", EvaluatorRegistry.Get("InformationRetrievalEvaluator").PrimaryMetric);
        Assert.Equal("spearman_cosine", EvaluatorRegistry.Get("embeddingsimilarityevaluator").PrimaryMetric);
        Assert.Throws<ArgumentException>(() => EvaluatorRegistry.Get("MTEB"));
    }

    [Fact]
    public void ValidationNamesBadParametersAndRoles()
    {
        EvaluatorInfo ir = EvaluatorRegistry.Get("InformationRetrievalEvaluator");
        Assert.Empty(ir.ValidateParameters(new EvaluatorParameters(new Dictionary<string, object?>
        {
            ["ndcg_at_k"] = new List<object> { 5, 10 }, ["score_functions"] = new List<object> { "cosine", "dot" },
        })));
        Assert.Contains("no parameter 'ndcg_at'",
            Assert.Single(ir.ValidateParameters(new EvaluatorParameters(
                new Dictionary<string, object?> { ["ndcg_at"] = 3 }))));
        Assert.Contains("'x'", Assert.Single(ir.ValidateParameters(new EvaluatorParameters(
            new Dictionary<string, object?> { ["batch_size"] = "x" }))));
        Assert.NotEmpty(ir.ValidateParameters(new EvaluatorParameters(
            new Dictionary<string, object?> { ["score_functions"] = new[] { "jaccard" } })));
        Assert.Empty(ir.CheckRoles(["queries", "corpus", "qrels"]));
        Assert.Empty(ir.CheckRoles(["pairs"]));
        Assert.NotEmpty(ir.CheckRoles(["queries", "corpus"]));
        Assert.NotEmpty(ir.CheckRoles(["pairs", "queries", "corpus", "qrels"]));
        Assert.Contains("reads no 'pair' file", ir.CheckRoles(["pair"])[0]);
        Assert.Equal("data.qrels", Assert.Single(ir.RoleFindings(["queries", "corpus"])).Field);
        Assert.Equal("params.batch_size", Assert.Single(ir.ParameterFindings(new EvaluatorParameters(
            new Dictionary<string, object?> { ["batch_size"] = "x" }))).Field);
        Assert.NotEmpty(EvaluatorRegistry.Get("TripletEvaluator").CheckRoles([]));
    }

    [Fact]
    public void EveryEvaluatorRunsOnARealModelAndReturnsExactlyItsAnnouncedKeys()
    {
        using var model = TinyModels.Create(seed: 21);
        string[] a = ["the dog is a pet", "a red car", "fish in the river", "the king", "music and song"];
        string[] b = ["a pet animal", "a vehicle", "water", "the queen", "a song"];
        string[] c = ["the sky", "a book", "the city", "a tree", "bread"];
        var cases = new List<(string Type, Dictionary<string, TabularDataset> Data, Dictionary<string, object?> P)>
        {
            ("EmbeddingSimilarityEvaluator", new()
            {
                ["pairs"] = Table(["sentence1", "sentence2", "score"],
                    a.Select((s, i) => new object?[] { s, b[i], (double)i / 4 }).ToArray()),
            }, new() { ["similarity_fn_names"] = new List<object> { "cosine", "dot" } }),
            ("BinaryClassificationEvaluator", new()
            {
                ["pairs"] = Table(["sentence1", "sentence2", "label"],
                    a.Select((s, i) => new object?[] { s, i % 2 == 0 ? b[i] : c[i], (long)(1 - i % 2) }).ToArray()),
            }, new()),
            ("TripletEvaluator", new()
            {
                ["triplets"] = Table(["anchor", "positive", "negative"],
                    a.Select((s, i) => new object?[] { s, b[i], c[i] }).ToArray()),
            }, new() { ["margin"] = 0.1 }),
            ("RerankingEvaluator", new()
            {
                ["samples"] = Table(["query", "positive", "negative"],
                    a.Select((s, i) => new object?[]
                    {
                        s, new object?[] { b[i] }, new object?[] { c[i], c[(i + 1) % 5] },
                    }).ToArray()),
            }, new() { ["at_k"] = 3 }),
            ("InformationRetrievalEvaluator", new()
            {
                ["pairs"] = Table(["anchor", "positive", "negative"],
                    a.Select((s, i) => new object?[] { s, b[i], c[i] }).ToArray()),
            }, new() { ["score_functions"] = new List<object> { "cosine", "dot" } }),
            ("InformationRetrievalEvaluator", new()
            {
                ["queries"] = Table(["_id", "text"], a.Select((s, i) => new object?[] { $"q{i}", s }).ToArray()),
                ["corpus"] = Table(["_id", "text"],
                    b.Concat(c).Select((s, i) => new object?[] { (long)i, s }).ToArray()),
                ["qrels"] = Table(["query-id", "corpus-id", "score"],
                    a.Select((_, i) => new object?[] { $"q{i}", (long)i, 1L })
                        .Append(new object?[] { "q0", 7L, 0L }).ToArray()),
            }, new() { ["ndcg_at_k"] = new[] { 3, 10 } }),
        };

        var built = new List<SentenceEvaluator>();
        foreach (var (type, data, parameters) in cases)
        {
            SentenceEvaluator evaluator = EvaluatorRegistry.Create(type, "dev", data, parameters);
            Dictionary<string, double> metrics = evaluator.Evaluate(model);
            Assert.Equal(evaluator.MetricKeys.Order(), metrics.Keys.Order());
            Assert.Contains(evaluator.PrimaryKey, metrics.Keys);
            Assert.StartsWith("dev_", evaluator.PrimaryKey);
            Assert.All(metrics.Values, v => Assert.True(double.IsFinite(v), $"{type}: {v}"));
            if (type != "InformationRetrievalEvaluator") built.Add(evaluator);
        }

        Assert.Equal("dev_cosine_ndcg@10", EvaluatorRegistry.Create(cases[^1].Type, "dev", cases[^1].Data,
            cases[^1].P).PrimaryKey);
        var sequential = EvaluatorRegistry.Create("SequentialEvaluator", "", new Dictionary<string, TabularDataset>(),
            new Dictionary<string, object?>
            {
                ["evaluators"] = (IReadOnlyList<SentenceEvaluator>)built
                    .Where(e => e is not BinaryClassificationEvaluator).ToList(),
                ["main_score_function"] = "mean",
            });
        Dictionary<string, double> all = sequential.Evaluate(model);
        Assert.Equal(sequential.MetricKeys.Order(), all.Keys.Order());
    }

    [Fact]
    public void IrFromBeirStyleFilesWithMaxRows()
    {
        File.WriteAllLines(Path.Combine(root, "queries.jsonl"),
        [
            """{"_id": "q1", "text": "the dog is a pet"}""",
            """{"_id": "q2", "text": "a red car"}""",
            """{"_id": "q3", "text": "fish in the river"}""",
        ]);
        File.WriteAllLines(Path.Combine(root, "corpus.jsonl"),
        [
            """{"_id": "d1", "title": "", "text": "a pet animal"}""",
            """{"_id": "d2", "title": "", "text": "a vehicle"}""",
            """{"_id": "d3", "title": "", "text": "water"}""",
        ]);
        File.WriteAllLines(Path.Combine(root, "qrels.tsv"), ["query-id\tcorpus-id\tscore", "q1\td1\t1", "q2\td2\t1",
            "q3\td3\t1"]);
        using var model = TinyModels.Create(seed: 22);
        var evaluator = (InformationRetrievalEvaluator)EvaluatorRegistry.CreateFromFiles(
            "InformationRetrievalEvaluator", "beir",
            new Dictionary<string, string> { ["queries"] = "queries.jsonl", ["corpus"] = "corpus.jsonl",
                ["qrels"] = "qrels.tsv" },
            maxRows: 2, baseDirectory: root);
        Assert.Equal(["q1", "q2"], evaluator.QueryIds);
        Assert.Equal(3, evaluator.CorpusIds.Count);
        Dictionary<string, double> metrics = evaluator.Evaluate(model);
        Assert.InRange(metrics["beir_cosine_ndcg@10"], 0.0, 1.0);

        var error = Assert.Throws<ArgumentException>(() => EvaluatorRegistry.CreateFromFiles(
            "InformationRetrievalEvaluator", "beir",
            new Dictionary<string, string> { ["queries"] = "queries.jsonl", ["corpus"] = "corpus.jsonl",
                ["qrels"] = "qrels.tsv" },
            new Dictionary<string, object?> { ["query_text_column"] = "body" }, baseDirectory: root));
        Assert.Contains("query_text_column 'body'", error.Message);
    }

    [Fact]
    public void SpecEntriesBuildEvaluatorsAndAnnounceKeysWithoutData()
    {
        File.WriteAllLines(Path.Combine(root, "sts.jsonl"),
        [
            """{"sentence1": "the dog", "sentence2": "a pet", "score": 0.9}""",
            """{"sentence1": "a car", "sentence2": "the sea", "score": 0.1}""",
            """{"sentence1": "a king", "sentence2": "a queen", "score": 0.7}""",
        ]);
        var spec = new EvaluatorSpec
        {
            Type = "EmbeddingSimilarityEvaluator", Name = "sts-dev",
            Data = new Dictionary<string, string> { ["pairs"] = "sts.jsonl" },
            Params = new Dictionary<string, object?> { ["batch_size"] = "8" },
            Location = "spec.yaml:12", Field = "evaluators[0]",
        };
        EvaluatorInfo info = EvaluatorRegistry.Get(spec.Type);
        Assert.Equal(["sts-dev_pearson_cosine", "sts-dev_spearman_cosine"], info.MetricKeys(spec));
        Assert.Equal(["sts-dev_pearson_dot", "sts-dev_spearman_dot"], info.MetricKeys(spec, "dot"));
        SentenceEvaluator evaluator = EvaluatorRegistry.Create(spec, p => Path.Combine(root, p), 2);
        Assert.Equal(2, ((EmbeddingSimilarityEvaluator)evaluator).Scores.Count);

        var missing = Assert.Throws<SpecException>(() => EvaluatorRegistry.Create(
            spec with { Data = new Dictionary<string, string> { ["pairs"] = "nope.jsonl" } },
            p => Path.Combine(root, p), null));
        Assert.Equal("evaluators[0].data.pairs", missing.Field);
        var badParam = Assert.Throws<SpecException>(() => EvaluatorRegistry.Create(
            spec with { Params = new Dictionary<string, object?> { ["batchsize"] = 8 } }, p => Path.Combine(root, p),
            null));
        Assert.Contains("batchsize", badParam.Message);
        Assert.Equal(["sequential_score"], EvaluatorRegistry.Get("SequentialEvaluator").MetricKeys(
            new EvaluatorSpec { Type = "SequentialEvaluator" }));
    }
}
