using StTrain.Core.Data;
using StTrain.Core.Losses;
using StTrain.Core.Training.Spec;

namespace StTrain.Core.Evaluation;

/// <summary>
/// Every evaluator a run spec can name (<c>evaluators: - type: ...</c>), with its data roles, parameters, primary
/// metric and a factory from loaded data. Names match sentence-transformers; lookups ignore case.
/// </summary>
public static class EvaluatorRegistry
{
    private static readonly string[] AnchorNames = ["anchor", "query", "question", "sentence1", "sentence_a"];
    private static readonly string[] PositiveNames = ["positive", "document", "answer", "passage", "sentence2"];
    private static readonly string[] NegativeNames = ["negative", "hard_negative"];
    private static readonly string[] Sentence1Names = ["sentence1", "sentence_a", "text1", "premise", "anchor"];
    private static readonly string[] Sentence2Names = ["sentence2", "sentence_b", "text2", "hypothesis", "positive"];
    private static readonly string[] SourceNames = ["source", "english", "sentence1", "anchor"];
    private static readonly string[] TargetNames = ["target", "non_english", "translation", "sentence2", "positive"];

    private static readonly LossParameterInfo BatchSize16 = new("batch_size", "int", 16, "Texts per encode batch.");
    private static readonly LossParameterInfo BatchSize32 = new("batch_size", "int", 32, "Texts per encode batch.");
    private static readonly LossParameterInfo TruncateDim =
        new("truncate_dim", "int", null, "Evaluate embeddings truncated to this many dimensions (Matryoshka).");

    private static readonly LossParameterInfo SimilarityFnNames =
        new("similarity_fn_names", "string[]", null,
            "Similarity functions to report (default: the model's own).", SimilarityFunctions.Names);

    /// <summary>All registered evaluators, in registration order.</summary>
    public static IReadOnlyList<EvaluatorInfo> All { get; } = Build().ToList();

    private static readonly Dictionary<string, EvaluatorInfo> Evaluators =
        All.ToDictionary(i => i.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The registered names for a model type.</summary>
    public static IReadOnlyList<string> Names(string modelType = "SentenceTransformer") =>
        All.Where(i => i.ModelType == modelType).Select(i => i.Name).ToList();

    public static bool TryGet(string name, out EvaluatorInfo info)
    {
        string key = name?.Trim() ?? string.Empty;
        int dot = key.LastIndexOf('.');
        if (dot >= 0) key = key[(dot + 1)..];
        return Evaluators.TryGetValue(key, out info!);
    }

    public static EvaluatorInfo Get(string name) =>
        TryGet(name, out EvaluatorInfo info)
            ? info
            : throw new ArgumentException(
                $"Unknown evaluator '{name}'. Fix: use one of {string.Join(", ", Names())}.");

    /// <summary>Builds an evaluator from loaded data (see <see cref="EvaluatorInfo.Create"/>).</summary>
    public static SentenceEvaluator Create(string type, string name, IReadOnlyDictionary<string, TabularDataset> data,
        IReadOnlyDictionary<string, object?>? parameters = null, string modelSimilarity = SimilarityFunctions.Cosine) =>
        Get(type).Create(name, data, new EvaluatorParameters(parameters), modelSimilarity);

    /// <summary>
    /// Builds the evaluator a run-spec entry describes: reads its data files (paths through
    /// <paramref name="resolve"/>, usually relative to the spec), keeps the first <paramref name="maxRows"/> rows of
    /// the truncatable roles. <paramref name="modelSimilarity"/> (the model's similarity_fn_name) sets the default
    /// metric keys. Every problem is a <see cref="SpecException"/> naming the entry's field.
    /// </summary>
    public static SentenceEvaluator Create(EvaluatorSpec spec, Func<string, string> resolve, int? maxRows,
        string modelSimilarity = SimilarityFunctions.Cosine)
    {
        if (!TryGet(spec.Type, out EvaluatorInfo info))
        {
            throw new SpecException($"{spec.Field}.type", spec.Location, $"'{spec.Type}' is not a registered evaluator",
                $"use one of: {string.Join(", ", Names())}");
        }

        IReadOnlyList<string> problems = info.CheckRoles(spec.Data.Keys.ToList())
            .Concat(info.ValidateParameters(new EvaluatorParameters(spec.Params))).ToList();
        if (problems.Count > 0)
        {
            throw new SpecException(spec.Field, spec.Location, string.Join("; ", problems.Select(TrimFix)),
                "see the messages above");
        }

        var data = new Dictionary<string, TabularDataset>(StringComparer.Ordinal);
        foreach (var (role, relative) in spec.Data)
        {
            string path = resolve(relative);
            if (!File.Exists(path))
            {
                throw new SpecException($"{spec.Field}.data.{role}", spec.Location,
                    $"the file '{path}' does not exist", "give a path relative to the spec's folder or to the workspace root");
            }

            TabularDataset dataset = TabularDataset.Load(path);
            bool truncatable = info.DataRoles.First(r => r.Role == role).Truncatable;
            data[role] = maxRows is int max && truncatable ? dataset.Take(max) : dataset;
        }

        try
        {
            return info.Create(spec.Name, data, new EvaluatorParameters(spec.Params), modelSimilarity);
        }
        catch (ArgumentException e)
        {
            throw new SpecException(spec.Field, spec.Location, TrimFix(e.Message), "see the message");
        }
    }

    /// <summary>A message without its trailing period, for embedding in a SpecException sentence.</summary>
    private static string TrimFix(string message) => message.TrimEnd('.');

    /// <summary>
    /// Loads each data file (role → path, relative paths against <paramref name="baseDirectory"/>), keeps the first
    /// <paramref name="maxRows"/> rows of the truncatable roles, and builds the evaluator.
    /// </summary>
    public static SentenceEvaluator CreateFromFiles(string type, string name,
        IReadOnlyDictionary<string, string> dataPaths, IReadOnlyDictionary<string, object?>? parameters = null,
        int? maxRows = null, string modelSimilarity = SimilarityFunctions.Cosine, string? baseDirectory = null)
    {
        EvaluatorInfo info = Get(type);
        IReadOnlyList<string> roleErrors = info.CheckRoles(dataPaths.Keys.ToList());
        if (roleErrors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, roleErrors));
        var data = new Dictionary<string, TabularDataset>(StringComparer.Ordinal);
        foreach (var (role, path) in dataPaths)
        {
            string full = baseDirectory is null || Path.IsPathRooted(path) ? path : Path.Combine(baseDirectory, path);
            TabularDataset dataset = TabularDataset.Load(full);
            bool truncatable = info.DataRoles.First(r => r.Role == role).Truncatable;
            data[role] = maxRows is int max && truncatable ? dataset.Take(max) : dataset;
        }

        return info.Create(name, data, new EvaluatorParameters(parameters), modelSimilarity);
    }

    private static IEnumerable<EvaluatorInfo> Build()
    {
        yield return new EvaluatorInfo
        {
            Name = nameof(InformationRetrievalEvaluator),
            Task = "retrieval",
            Summary = "Retrieval over a corpus: accuracy, precision, recall, nDCG, MRR and MAP at several cut-offs.",
            DataDescription = "queries (id, text) + corpus (id, text) + qrels (query id, corpus id[, score]), or " +
                              "(anchor, positive[, negative]) pairs from which they are built",
            DataRoles =
            [
                new("queries", false, "query id (_id / id / query-id) and text"),
                new("corpus", false, "document id (_id / id / corpus-id) and text", Truncatable: false),
                new("qrels", false, "query-id, corpus-id (a string or a list), optional score (> 0 = relevant)",
                    Truncatable: false),
                new("pairs", false, "anchor and positive text, optional negative text"),
            ],
            RoleCheck = roles =>
            {
                string[] triple = ["queries", "corpus", "qrels"];
                bool pairs = roles.Contains("pairs");
                bool anyTriple = triple.Any(roles.Contains);
                if (pairs && anyTriple)
                {
                    return [new("data", "evaluator InformationRetrievalEvaluator got both pairs and " +
                                        $"{string.Join(" + ", triple.Where(roles.Contains))}. Fix: give either " +
                                        "queries + corpus + qrels, or pairs.")];
                }

                if (!pairs && !anyTriple)
                {
                    return [new("data", "evaluator InformationRetrievalEvaluator has no data. Fix: give queries + " +
                                        "corpus + qrels files, or one pairs file (anchor, positive[, negative]).")];
                }

                return triple.Where(r => anyTriple && !roles.Contains(r)).Select(r => new EvaluatorFinding(
                    $"data.{r}", $"evaluator InformationRetrievalEvaluator needs a '{r}' file next to " +
                                 $"{string.Join(" and ", triple.Where(roles.Contains))}. Fix: add '{r}: <file>' " +
                                 "under data: (qrels: query-id, corpus-id[, score]), or use a single pairs file."));
            },
            PrimaryMetric = "cosine_ndcg@10",
            PrimaryMetricRule = "{main_score_function or the model's function}_ndcg@{largest ndcg_at_k}",
            Parameters =
            [
                new("mrr_at_k", "int[]", new[] { 10 }, "Cut-offs for MRR."),
                new("ndcg_at_k", "int[]", new[] { 10 }, "Cut-offs for nDCG."),
                new("accuracy_at_k", "int[]", new[] { 1, 3, 5, 10 }, "Cut-offs for accuracy."),
                new("precision_recall_at_k", "int[]", new[] { 1, 3, 5, 10 }, "Cut-offs for precision and recall."),
                new("map_at_k", "int[]", new[] { 100 }, "Cut-offs for MAP."),
                new("score_functions", "string[]", null, "Score functions (default: the model's own).",
                    SimilarityFunctions.Names),
                new("main_score_function", "string", null, "Score function of the primary metric.",
                    SimilarityFunctions.Names),
                new("corpus_chunk_size", "int", 50000, "Corpus documents scored at once."),
                BatchSize32,
                TruncateDim,
                new("query_prompt", "string", null, "Literal prompt before each query."),
                new("query_prompt_name", "string", null, "Model prompt name for queries (default: 'query' if any)."),
                new("corpus_prompt", "string", null, "Literal prompt before each document."),
                new("corpus_prompt_name", "string", null, "Model prompt name for documents."),
                new("query_id_column", "string", "_id", "Id column of the queries file."),
                new("query_text_column", "string", "text", "Text column of the queries file."),
                new("corpus_id_column", "string", "_id", "Id column of the corpus file."),
                new("corpus_text_column", "string", "text", "Text column of the corpus file."),
                new("qrels_query_column", "string", "query-id", "Query id column of the qrels file."),
                new("qrels_corpus_column", "string", "corpus-id", "Corpus id column of the qrels file."),
                new("qrels_score_column", "string", "score", "Relevance column of the qrels file (optional)."),
                new("anchor_column", "string", "anchor", "Query column of the pairs file."),
                new("positive_column", "string", "positive", "Relevant document column of the pairs file."),
                new("negative_column", "string", "negative", "Extra corpus column of the pairs file (optional)."),
            ],
            StandIn = (name, p, sim) => new InformationRetrievalEvaluator(
                new Dictionary<string, string> { ["q"] = "q" }, new Dictionary<string, string> { ["d"] = "d" },
                new Dictionary<string, IReadOnlyCollection<string>> { ["q"] = ["d"] }, name,
                p.Has("mrr_at_k") ? p.GetIntList("mrr_at_k", null) : null,
                p.Has("ndcg_at_k") ? p.GetIntList("ndcg_at_k", null) : null,
                p.Has("accuracy_at_k") ? p.GetIntList("accuracy_at_k", null) : null,
                p.Has("precision_recall_at_k") ? p.GetIntList("precision_recall_at_k", null) : null,
                p.Has("map_at_k") ? p.GetIntList("map_at_k", null) : null,
                p.Has("score_functions") ? p.GetStringList("score_functions", null) : null,
                p.GetOptionalString("main_score_function"), modelSimilarityHint: sim),
            Factory = CreateInformationRetrieval,
        };
        yield return new EvaluatorInfo
        {
            Name = nameof(EmbeddingSimilarityEvaluator),
            Task = "similarity",
            Summary = "Correlation (Pearson, Spearman) between embedding similarity and gold scores of pairs.",
            DataDescription = "(sentence1, sentence2, score) rows",
            DataRoles = [new("pairs", true, "sentence1, sentence2 and a numeric score column")],
            PrimaryMetric = "spearman_cosine",
            PrimaryMetricRule = "spearman_{main_similarity}, else spearman_max with several functions, else " +
                                "spearman_{the model's function}",
            Parameters =
            [
                new("main_similarity", "string", null, "Function of the primary metric.", SimilarityFunctions.Names),
                SimilarityFnNames,
                BatchSize16,
                TruncateDim,
                new("sentence1_column", "string", "sentence1", "First text column."),
                new("sentence2_column", "string", "sentence2", "Second text column."),
                new("score_column", "string", "score", "Gold score column."),
            ],
            StandIn = (name, p, sim) => new EmbeddingSimilarityEvaluator(["a", "b"], ["a", "b"], [0, 1], name,
                p.GetOptionalString("main_similarity"),
                p.Has("similarity_fn_names") ? p.GetStringList("similarity_fn_names", null) : null,
                modelSimilarityHint: sim),
            Factory = c => new EmbeddingSimilarityEvaluator(
                c.Dataset("pairs").GetStrings(c.Column("pairs", "sentence1_column", Sentence1Names, 0)),
                c.Dataset("pairs").GetStrings(c.Column("pairs", "sentence2_column", Sentence2Names, 1)),
                c.Dataset("pairs").GetDoubles(c.Column("pairs", "score_column", ["score", "label", "similarity"],
                    null)),
                c.Name,
                c.Parameters.GetOptionalString("main_similarity"),
                c.SimilarityList("similarity_fn_names"),
                c.Encoding(16),
                c.ModelSimilarity),
        };
        yield return new EvaluatorInfo
        {
            Name = nameof(BinaryClassificationEvaluator),
            Task = "pair classification",
            Summary = "Duplicate detection with a similarity threshold: accuracy, F1, precision, recall, AP, MCC.",
            DataDescription = "(sentence1, sentence2, label 0/1) rows",
            DataRoles = [new("pairs", true, "sentence1, sentence2 and a 0/1 label column")],
            PrimaryMetric = "cosine_ap",
            PrimaryMetricRule = "max_ap with several functions, else {the model's function}_ap",
            Parameters =
            [
                SimilarityFnNames,
                BatchSize32,
                TruncateDim,
                new("sentence1_column", "string", "sentence1", "First text column."),
                new("sentence2_column", "string", "sentence2", "Second text column."),
                new("label_column", "string", "label", "0/1 label column."),
            ],
            StandIn = (name, p, sim) => new BinaryClassificationEvaluator(["a", "b"], ["a", "b"], [0, 1], name,
                p.Has("similarity_fn_names") ? p.GetStringList("similarity_fn_names", null) : null,
                modelSimilarityHint: sim),
            Factory = c =>
            {
                string labelColumn = c.Column("pairs", "label_column", ["label", "labels", "is_duplicate", "score"],
                    null);
                IReadOnlyList<double> raw = c.Dataset("pairs").GetDoubles(labelColumn);
                int bad = raw.ToList().FindIndex(v => v is not (0 or 1));
                if (bad >= 0)
                {
                    throw new ArgumentException(
                        $"evaluator BinaryClassificationEvaluator '{c.Name}': column '{labelColumn}' row {bad} holds " +
                        $"{raw[bad]}, not 0 or 1. Fix: use 1 for duplicates and 0 otherwise.");
                }

                return new BinaryClassificationEvaluator(
                    c.Dataset("pairs").GetStrings(c.Column("pairs", "sentence1_column", Sentence1Names, 0)),
                    c.Dataset("pairs").GetStrings(c.Column("pairs", "sentence2_column", Sentence2Names, 1)),
                    raw.Select(v => (int)v).ToList(),
                    c.Name,
                    c.SimilarityList("similarity_fn_names"),
                    c.Encoding(32),
                    c.ModelSimilarity);
            },
        };
        yield return new EvaluatorInfo
        {
            Name = nameof(TripletEvaluator),
            Task = "triplets",
            Summary = "Share of (anchor, positive, negative) rows where the anchor is closer to the positive.",
            DataDescription = "(anchor, positive, negative) rows",
            DataRoles = [new("triplets", true, "anchor, positive and negative text columns")],
            PrimaryMetric = "cosine_accuracy",
            PrimaryMetricRule = "{main_similarity_function}_accuracy, else max_accuracy with several functions, " +
                                "else {the model's function}_accuracy",
            Parameters =
            [
                new("main_similarity_function", "string", null, "Function of the primary metric.",
                    SimilarityFunctions.Names),
                new("margin", "float", 0.0, "The positive must beat the negative by more than this."),
                SimilarityFnNames,
                BatchSize16,
                TruncateDim,
                new("anchor_column", "string", "anchor", "Anchor column."),
                new("positive_column", "string", "positive", "Positive column."),
                new("negative_column", "string", "negative", "Negative column."),
            ],
            StandIn = (name, p, sim) => new TripletEvaluator(["a"], ["b"], ["c"], name,
                p.GetOptionalString("main_similarity_function"), p.GetDouble("margin", 0),
                p.Has("similarity_fn_names") ? p.GetStringList("similarity_fn_names", null) : null,
                modelSimilarityHint: sim),
            Factory = c => new TripletEvaluator(
                c.Dataset("triplets").GetStrings(c.Column("triplets", "anchor_column", AnchorNames, 0)),
                c.Dataset("triplets").GetStrings(c.Column("triplets", "positive_column", PositiveNames, 1)),
                c.Dataset("triplets").GetStrings(c.Column("triplets", "negative_column", NegativeNames, 2)),
                c.Name,
                c.Parameters.GetOptionalString("main_similarity_function"),
                c.Parameters.GetDouble("margin", 0),
                c.SimilarityList("similarity_fn_names"),
                c.Encoding(16),
                c.ModelSimilarity),
        };
        yield return new EvaluatorInfo
        {
            Name = nameof(RerankingEvaluator),
            Task = "reranking",
            Summary = "Ranks each query's positive and negative documents: MAP, MRR@k, nDCG@k.",
            DataDescription = "(query, positive, negative) rows; positive/negative a text or a list of texts; " +
                              "rows with the same query are merged",
            DataRoles = [new("samples", true, "query, positive and negative columns (text or list of texts)")],
            PrimaryMetric = "ndcg@10",
            PrimaryMetricRule = "ndcg@{at_k}",
            Parameters =
            [
                new("at_k", "int", 10, "Cut-off for MRR and nDCG."),
                new("similarity_fct", "string", SimilarityFunctions.Cosine, "Query-document similarity.",
                    SimilarityFunctions.Names),
                new("batch_size", "int", 64, "Texts per encode batch."),
                TruncateDim,
                new("query_column", "string", "query", "Query column."),
                new("positive_column", "string", "positive", "Relevant documents column."),
                new("negative_column", "string", "negative", "Irrelevant documents column."),
            ],
            StandIn = (name, p, _) => new RerankingEvaluator([new RerankingSample("q", ["p"], ["n"])],
                p.GetInt("at_k", 10), name, p.GetString("similarity_fct", SimilarityFunctions.Cosine)),
            Factory = CreateReranking,
        };
        yield return new EvaluatorInfo
        {
            Name = nameof(MSEEvaluator),
            Task = "distillation",
            Summary = "Distillation: -100 x mean squared error between teacher embeddings of the source sentences " +
                      "and student embeddings of the target sentences.",
            DataDescription = "(source, target) rows, e.g. English sentences and their translations",
            DataRoles = [new("pairs", true, "source and target text columns")],
            PrimaryMetric = "negative_mse",
            PrimaryMetricRule = "negative_mse",
            Parameters =
            [
                new("teacher_model", "string", null, "The teacher: a local folder, an HF cache id or a bundled id.",
                    Required: true),
                BatchSize32,
                TruncateDim,
                new("source_column", "string", "source", "Column the teacher embeds."),
                new("target_column", "string", "target", "Column the student embeds."),
            ],
            StandIn = (name, _, _) => new MSEEvaluator(TorchSharp.torch.zeros(1, 1), ["t"], name),
            Factory = c =>
            {
                using var teacher = StTrain.Core.Models.SentenceTransformer.Load(
                    c.Parameters.GetRequiredString("teacher_model"));
                return MSEEvaluator.FromTeacher(teacher,
                    c.Dataset("pairs").GetStrings(c.Column("pairs", "source_column", SourceNames, 0)),
                    c.Dataset("pairs").GetStrings(c.Column("pairs", "target_column", TargetNames, 1)),
                    c.Name, c.Encoding(32));
            },
        };
        yield return new EvaluatorInfo
        {
            Name = nameof(TranslationEvaluator),
            Task = "bitext matching",
            Summary = "Parallel sentences: how often a sentence's most similar counterpart is its own translation.",
            DataDescription = "(source, target) rows of parallel sentences",
            DataRoles = [new("pairs", true, "source and target text columns")],
            PrimaryMetric = "mean_accuracy",
            PrimaryMetricRule = "mean_accuracy",
            Parameters =
            [
                BatchSize16,
                TruncateDim,
                new("source_column", "string", "source", "Source language column."),
                new("target_column", "string", "target", "Target language column."),
            ],
            StandIn = (name, _, _) => new TranslationEvaluator(["s"], ["t"], name),
            Factory = c => new TranslationEvaluator(
                c.Dataset("pairs").GetStrings(c.Column("pairs", "source_column", SourceNames, 0)),
                c.Dataset("pairs").GetStrings(c.Column("pairs", "target_column", TargetNames, 1)),
                c.Name, c.Encoding(16)),
        };
        yield return new EvaluatorInfo
        {
            Name = nameof(ParaphraseMiningEvaluator),
            Task = "paraphrase mining",
            Summary = "Mines the most similar sentence pairs of a collection and scores them against known " +
                      "duplicates: average precision, best F1 with its precision, recall and threshold.",
            DataDescription = "sentences (id, text) + duplicates (id1, id2)",
            DataRoles =
            [
                new("sentences", true, "id and text columns", Truncatable: false),
                new("duplicates", true, "id1 and id2 columns naming duplicate sentences", Truncatable: false),
            ],
            PrimaryMetric = "average_precision",
            PrimaryMetricRule = "average_precision",
            Parameters =
            [
                new("add_transitive_closure", "bool", false, "Treat duplicates of duplicates as duplicates."),
                new("id_column", "string", "id", "Id column of the sentences file."),
                new("text_column", "string", "text", "Text column of the sentences file."),
                new("id1_column", "string", "id1", "First id column of the duplicates file."),
                new("id2_column", "string", "id2", "Second id column of the duplicates file."),
                new("max_pairs", "int", 500000, "Most candidate pairs kept."),
                new("top_k", "int", 100, "Nearest neighbours considered per sentence."),
                BatchSize16,
                TruncateDim,
            ],
            StandIn = (name, _, _) => new ParaphraseMiningEvaluator(
                new Dictionary<string, string> { ["a"] = "a" }, [], name),
            Factory = c =>
            {
                TabularDataset duplicates = c.Dataset("duplicates");
                var map = IdTextMap(c, "sentences", "id_column", "text_column", ["id", "_id", "qid"],
                    ["text", "sentence", "question"]);
                string first = c.Column("duplicates", "id1_column", ["id1", "qid1", "id_1"], null);
                string second = c.Column("duplicates", "id2_column", ["id2", "qid2", "id_2"], null);
                IReadOnlyList<object?> ids1 = duplicates.GetColumn(first), ids2 = duplicates.GetColumn(second);
                var pairs = Enumerable.Range(0, duplicates.Count)
                    .Select(i => (IdText(c, "duplicates", first, i, ids1[i]),
                        IdText(c, "duplicates", second, i, ids2[i])))
                    .ToList();
                return new ParaphraseMiningEvaluator(map, pairs, c.Name,
                    c.Parameters.GetBool("add_transitive_closure", false), c.Parameters.GetInt("max_pairs", 500000),
                    c.Parameters.GetInt("top_k", 100), c.Encoding(16));
            },
        };
        yield return new EvaluatorInfo
        {
            Name = nameof(LabelAccuracyEvaluator),
            Task = "classification",
            Summary = "Accuracy of a SoftmaxLoss classifier on labelled pairs (built in code with the trained loss).",
            DataDescription = "(sentence1, sentence2, label) rows with integer class ids",
            DataRoles = [new("pairs", true, "sentence1, sentence2 and an integer label column")],
            PrimaryMetric = "accuracy",
            PrimaryMetricRule = "accuracy",
            Parameters =
            [
                new("softmax_model", "object", null, "The trained SoftmaxLoss (set in code, not in a spec).",
                    Required: true),
                BatchSize32,
                TruncateDim,
                new("sentence1_column", "string", "sentence1", "First text column."),
                new("sentence2_column", "string", "sentence2", "Second text column."),
                new("label_column", "string", "label", "Class id column."),
            ],
            StandIn = (_, _, _) => null,
            Factory = c => new LabelAccuracyEvaluator(
                c.Parameters.GetRequiredObject<SoftmaxLoss>("softmax_model", "the trained SoftmaxLoss"),
                c.Dataset("pairs").GetStrings(c.Column("pairs", "sentence1_column", Sentence1Names, 0)),
                c.Dataset("pairs").GetStrings(c.Column("pairs", "sentence2_column", Sentence2Names, 1)),
                c.Dataset("pairs").GetDoubles(c.Column("pairs", "label_column", ["label", "labels"], null))
                    .Select(v => (int)v).ToList(),
                c.Name, c.Encoding(32)),
        };
        yield return new EvaluatorInfo
        {
            Name = nameof(SequentialEvaluator),
            Task = "combination",
            Summary = "Runs several evaluators; sequential_score is the last one's primary metric (or mean/max/min).",
            DataDescription = "none: it combines the other evaluators of the spec",
            DataRoles = [],
            PrimaryMetric = "sequential_score",
            PrimaryMetricRule = "sequential_score",
            Parameters =
            [
                new("main_score_function", "string", "last", "How sequential_score combines the primary metrics.",
                    SequentialEvaluator.ScoreFunctions),
                new("evaluators", "object", null, "The evaluators to run (set in code, not in a spec).",
                    Required: true),
            ],
            StandIn = (_, p, _) => p.Has("evaluators")
                ? new SequentialEvaluator(
                    p.GetRequiredObject<IReadOnlyList<SentenceEvaluator>>("evaluators", "a list of evaluators"))
                : null,
            Factory = c => new SequentialEvaluator(
                c.Parameters.GetRequiredObject<IReadOnlyList<SentenceEvaluator>>("evaluators", "a list of evaluators"),
                c.Parameters.GetChoice("main_score_function", "last", SequentialEvaluator.ScoreFunctions)),
        };
    }

    private static SentenceEvaluator CreateInformationRetrieval(EvaluatorContext c)
    {
        IReadOnlyDictionary<string, string> queries, corpus;
        IReadOnlyDictionary<string, IReadOnlyCollection<string>> relevant;
        if (c.Has("pairs"))
        {
            TabularDataset pairs = c.Dataset("pairs");
            string? negative = c.OptionalColumn("pairs", "negative_column", NegativeNames);
            (queries, corpus, relevant) = InformationRetrievalEvaluator.DataFromPairs(
                pairs.GetStrings(c.Column("pairs", "anchor_column", AnchorNames, 0)),
                pairs.GetStrings(c.Column("pairs", "positive_column", PositiveNames, 1)),
                negative is null ? null : pairs.GetStrings(negative));
        }
        else
        {
            queries = IdTextMap(c, "queries", "query_id_column", "query_text_column", ["_id", "id", "query-id",
                "query_id", "qid"], ["text", "query", "question"]);
            corpus = IdTextMap(c, "corpus", "corpus_id_column", "corpus_text_column", ["_id", "id", "corpus-id",
                "corpus_id", "doc_id", "docid", "cid"], ["text", "document", "passage"]);
            relevant = Qrels(c);
        }

        EvaluatorParameters p = c.Parameters;
        return new InformationRetrievalEvaluator(queries, corpus, relevant, c.Name,
            p.Has("mrr_at_k") ? p.GetIntList("mrr_at_k", null) : null,
            p.Has("ndcg_at_k") ? p.GetIntList("ndcg_at_k", null) : null,
            p.Has("accuracy_at_k") ? p.GetIntList("accuracy_at_k", null) : null,
            p.Has("precision_recall_at_k") ? p.GetIntList("precision_recall_at_k", null) : null,
            p.Has("map_at_k") ? p.GetIntList("map_at_k", null) : null,
            c.SimilarityList("score_functions"),
            p.GetOptionalString("main_score_function"),
            p.GetInt("corpus_chunk_size", 50000),
            c.Encoding(32, prompts: true),
            c.ModelSimilarity);
    }

    private static Dictionary<string, string> IdTextMap(EvaluatorContext c, string role, string idParameter,
        string textParameter, string[] idNames, string[] textNames)
    {
        TabularDataset data = c.Dataset(role);
        string idColumn = c.Column(role, idParameter, idNames, null);
        string textColumn = c.Column(role, textParameter, textNames, null);
        IReadOnlyList<object?> ids = data.GetColumn(idColumn);
        IReadOnlyList<string> texts = data.GetStrings(textColumn);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < texts.Count; i++)
        {
            string id = IdText(c, role, idColumn, i, ids[i]);
            if (!map.TryAdd(id, texts[i]))
            {
                throw new ArgumentException($"evaluator {c.Type} '{c.Name}': the '{role}' data repeats id '{id}' " +
                                            $"(row {i}). Fix: make the ids in column '{idColumn}' unique.");
            }
        }

        return map;
    }

    private static Dictionary<string, IReadOnlyCollection<string>> Qrels(EvaluatorContext c)
    {
        TabularDataset data = c.Dataset("qrels");
        string queryColumn = c.Column("qrels", "qrels_query_column", ["query-id", "query_id", "qid", "_id", "id"],
            null);
        string corpusColumn = c.Column("qrels", "qrels_corpus_column",
            ["corpus-id", "corpus_id", "doc_id", "docid", "cid", "relevant_docs", "corpus-ids"], null);
        string? scoreColumn = c.OptionalColumn("qrels", "qrels_score_column", ["score", "relevance"]);
        IReadOnlyList<double>? scores = scoreColumn is null ? null : data.GetDoubles(scoreColumn);
        IReadOnlyList<object?> queryIds = data.GetColumn(queryColumn);
        IReadOnlyList<object?> corpusIds = data.GetColumn(corpusColumn);
        var relevant = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        for (int i = 0; i < data.Count; i++)
        {
            string query = IdText(c, "qrels", queryColumn, i, queryIds[i]);
            if (!relevant.TryGetValue(query, out HashSet<string>? set))
            {
                set = new HashSet<string>(StringComparer.Ordinal);
                relevant[query] = set;
            }

            // Graded qrels list non-relevant pairs with score 0; only positive scores count as relevant.
            if (scores is not null && scores[i] <= 0) continue;
            IEnumerable<object?> docs = corpusIds[i] is object?[] list ? list : [corpusIds[i]];
            foreach (object? doc in docs) set.Add(IdText(c, "qrels", corpusColumn, i, doc));
        }

        return relevant.ToDictionary(kv => kv.Key, kv => (IReadOnlyCollection<string>)kv.Value,
            StringComparer.Ordinal);
    }

    private static string IdText(EvaluatorContext c, string role, string column, int row, object? value) => value switch
    {
        string s => s,
        long or double or bool => TabularValues.ToText(value),
        _ => throw new ArgumentException($"evaluator {c.Type} '{c.Name}': the '{role}' data column '{column}' row " +
                                         $"{row} holds {TabularValues.Preview(value)}, not an id. Fix: give every " +
                                         "row a string or integer id."),
    };

    private static SentenceEvaluator CreateReranking(EvaluatorContext c)
    {
        string queryColumn = c.Column("samples", "query_column", ["query", "anchor", "question"], 0);
        string positiveColumn = c.Column("samples", "positive_column", ["positive", "positives"], null);
        string negativeColumn = c.Column("samples", "negative_column", ["negative", "negatives"], null);
        IReadOnlyList<string> queries = c.Dataset("samples").GetStrings(queryColumn);
        IReadOnlyList<IReadOnlyList<string>> positives = c.StringOrList("samples", positiveColumn);
        IReadOnlyList<IReadOnlyList<string>> negatives = c.StringOrList("samples", negativeColumn);
        // Rows that repeat a query (one positive / negative per row) merge into one sample, in first-seen order.
        var order = new List<string>();
        var merged = new Dictionary<string, (List<string> Positive, List<string> Negative)>(StringComparer.Ordinal);
        for (int i = 0; i < queries.Count; i++)
        {
            if (!merged.TryGetValue(queries[i], out var sample))
            {
                sample = ([], []);
                merged[queries[i]] = sample;
                order.Add(queries[i]);
            }

            sample.Positive.AddRange(positives[i].Where(p => !sample.Positive.Contains(p)));
            sample.Negative.AddRange(negatives[i].Where(n => !sample.Negative.Contains(n)));
        }

        var samples = order.Select(q => new RerankingSample(q, merged[q].Positive, merged[q].Negative)).ToList();
        return new RerankingEvaluator(samples, c.Parameters.GetInt("at_k", 10), c.Name,
            c.Parameters.GetString("similarity_fct", SimilarityFunctions.Cosine), c.Encoding(64));
    }
}
