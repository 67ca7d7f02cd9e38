using StTrain.Core.Data;
using StTrain.Core.Training.Spec;

namespace StTrain.Core.Evaluation;

/// <summary>
/// The evaluators a run spec can name, with the files each reads. Metric keys are computed by constructing the
/// evaluator on a one-row stand-in dataset, so the keys validation shows are the keys a run logs.
/// </summary>
public static class EvaluatorRegistry
{
    private static readonly Dictionary<string, string> Common = new(StringComparer.Ordinal)
    {
        ["batch_size"] = "texts per encoding batch (default 32)",
        ["truncate_dim"] = "evaluate embeddings truncated to this many dimensions (Matryoshka)",
    };

    public static IReadOnlyList<EvaluatorInfo> All { get; } = Build().ToList();

    public static IReadOnlyList<string> Names(string modelType = "SentenceTransformer") =>
        All.Where(e => e.ModelType == modelType).Select(e => e.Name).ToList();

    public static bool TryGet(string name, out EvaluatorInfo info)
    {
        info = All.FirstOrDefault(e => e.Name == name)!;
        return info is not null;
    }

    /// <summary>Builds the evaluator a spec entry describes, reading its data files (capped at maxRows rows).</summary>
    public static SentenceEvaluator Create(EvaluatorSpec spec, Func<string, string> resolve, int? maxRows)
    {
        if (!TryGet(spec.Type, out var info))
            throw new SpecException($"{spec.Field}.type", spec.Location, $"'{spec.Type}' is not a registered evaluator",
                $"use one of: {string.Join(", ", Names())}");
        foreach (string role in spec.Data.Keys.Where(r => !info.DataRoles.ContainsKey(r)))
            throw new SpecException($"{spec.Field}.data.{role}", spec.Location, $"{spec.Type} reads no '{role}' file",
                $"its data roles are: {string.Join(", ", info.DataRoles.Select(kv => $"{kv.Key} {kv.Value}"))}");
        foreach (string role in info.DataRoles.Keys.Where(r => !spec.Data.ContainsKey(r)))
            throw new SpecException($"{spec.Field}.data.{role}", spec.Location, "is missing",
                $"give {spec.Type} its {role} file: {info.DataRoles[role]}");
        foreach (string name in spec.Params.Keys.Where(p => !info.Parameters.ContainsKey(p)))
            throw new SpecException($"{spec.Field}.params.{name}", spec.Location, $"{spec.Type} has no parameter '{name}'",
                $"known parameters: {string.Join(", ", info.Parameters.Keys)}");
        return info.Factory(spec, resolve, maxRows);
    }

    private static EncodingSettings Encoding(EvaluatorParameters p) => new()
    {
        BatchSize = p.GetInt("batch_size", 32),
        TruncateDim = p.GetOptionalInt("truncate_dim"),
        QueryPrompt = p.GetOptionalString("query_prompt"),
        QueryPromptName = p.GetOptionalString("query_prompt_name"),
        DocumentPrompt = p.GetOptionalString("corpus_prompt"),
        DocumentPromptName = p.GetOptionalString("corpus_prompt_name"),
    };

    private static IReadOnlyList<int>? Ints(EvaluatorParameters p, string name) =>
        p.Has(name) ? p.GetIntList(name, null) : null;

    private static IReadOnlyList<string>? Strings(EvaluatorParameters p, string name) =>
        p.Has(name) ? p.GetStringList(name, null) : null;

    private static EvaluatorParameters Params(EvaluatorSpec spec) => new(spec.Params, $"evaluator {spec.Type}");

    private static TabularDataset Table(EvaluatorSpec spec, string role, Func<string, string> resolve, int? maxRows)
    {
        string path = resolve(spec.Data[role]);
        if (!File.Exists(path))
            throw new SpecException($"{spec.Field}.data.{role}", spec.Location, $"the file '{path}' does not exist",
                "give a path relative to the spec file");
        var table = TabularDataset.Load(path);
        return maxRows is int cap && table.Count > cap ? table.Take(cap) : table;
    }

    /// <summary>The named column, or else the n-th text column that is not a label.</summary>
    private static IReadOnlyList<string> Texts(TabularDataset table, string[] names, int position, EvaluatorSpec spec, string role)
    {
        string? column = names.FirstOrDefault(table.HasColumn);
        if (column is null)
        {
            var textColumns = table.ColumnNames.Where(c => c is not ("label" or "score" or "id")).ToList();
            if (position >= textColumns.Count)
                throw new SpecException($"{spec.Field}.data.{role}", spec.Location,
                    $"{table.SourcePath} has no column {string.Join(" or ", names)} (columns: {string.Join(", ", table.ColumnNames)})",
                    $"rename a column to {names[0]}");
            column = textColumns[position];
        }
        return table.GetStrings(column);
    }

    private static string Label(TabularDataset table, EvaluatorSpec spec, string role) =>
        PreparedLabel(table) ?? throw new SpecException($"{spec.Field}.data.{role}", spec.Location,
            $"{table.SourcePath} has no 'label' or 'score' column", "add the gold score as a column named score or label");

    private static string? PreparedLabel(TabularDataset table) =>
        new[] { "score", "label" }.FirstOrDefault(table.HasColumn);

    private static IReadOnlyList<string> KeysOf(Func<SentenceEvaluator> build) => build().MetricKeys;

    private static IEnumerable<EvaluatorInfo> Build()
    {
        var one = new Dictionary<string, string> { ["q"] = "x" };
        var rel = new Dictionary<string, IReadOnlyCollection<string>> { ["q"] = ["q"] };

        InformationRetrievalEvaluator Ir(EvaluatorSpec spec, IReadOnlyDictionary<string, string> queries,
            IReadOnlyDictionary<string, string> corpus, IReadOnlyDictionary<string, IReadOnlyCollection<string>> relevant)
        {
            var p = Params(spec);
            return new InformationRetrievalEvaluator(queries, corpus, relevant, spec.Name,
                mrrAtK: Ints(p, "mrr_at_k"), ndcgAtK: Ints(p, "ndcg_at_k"),
                accuracyAtK: Ints(p, "accuracy_at_k"),
                precisionRecallAtK: Ints(p, "precision_recall_at_k"), mapAtK: Ints(p, "map_at_k"),
                scoreFunctions: Strings(p, "score_functions"),
                mainScoreFunction: p.GetOptionalString("main_score_function"), encoding: Encoding(p));
        }

        yield return new EvaluatorInfo
        {
            Name = nameof(InformationRetrievalEvaluator),
            Task = "retrieval",
            Summary = "Retrieval quality: each query searches the corpus; nDCG@k, MRR@k, MAP@k, accuracy/precision/recall@k.",
            DataRoles = new Dictionary<string, string>
            {
                ["queries"] = "(id, text) one query per row",
                ["corpus"] = "(id, text) one document per row",
                ["qrels"] = "(query_id, corpus_id) one relevant pair per row",
            },
            PrimaryMetric = "cosine_ndcg@10",
            Parameters = new Dictionary<string, string>(Common)
            {
                ["mrr_at_k"] = "cut-offs for MRR (default [10])", ["ndcg_at_k"] = "cut-offs for nDCG (default [10])",
                ["accuracy_at_k"] = "cut-offs for accuracy (default [1, 3, 5, 10])",
                ["precision_recall_at_k"] = "cut-offs for precision/recall (default [1, 3, 5, 10])",
                ["map_at_k"] = "cut-offs for MAP (default [100])",
                ["score_functions"] = "similarities to score with (default: the model's, e.g. [cosine])",
                ["main_score_function"] = "which score function's metrics are primary",
                ["query_prompt"] = "literal prompt for queries", ["query_prompt_name"] = "model prompt name for queries",
                ["corpus_prompt"] = "literal prompt for documents", ["corpus_prompt_name"] = "model prompt name for documents",
            },
            MetricKeys = spec => KeysOf(() => Ir(spec, one, one, rel)),
            Factory = (spec, resolve, maxRows) =>
            {
                var queries = Table(spec, "queries", resolve, maxRows);
                var corpus = Table(spec, "corpus", resolve, null);
                var qrels = Table(spec, "qrels", resolve, null);
                var queryMap = Pairs(queries, spec, "queries");
                var corpusMap = Pairs(corpus, spec, "corpus");
                var relevant = new Dictionary<string, IReadOnlyCollection<string>>(StringComparer.Ordinal);
                var qid = qrels.GetStrings(qrels.HasColumn("query_id") ? "query_id" : qrels.ColumnNames[0]);
                var cid = qrels.GetStrings(qrels.HasColumn("corpus_id") ? "corpus_id" : qrels.ColumnNames[1]);
                for (int i = 0; i < qid.Count; i++)
                {
                    if (!queryMap.ContainsKey(qid[i])) continue;
                    if (!relevant.TryGetValue(qid[i], out var set)) relevant[qid[i]] = set = new HashSet<string>(StringComparer.Ordinal);
                    ((HashSet<string>)set).Add(cid[i]);
                }
                return Ir(spec, queryMap, corpusMap, relevant);
            },
        };

        yield return new EvaluatorInfo
        {
            Name = nameof(EmbeddingSimilarityEvaluator),
            Task = "similarity",
            Summary = "Semantic similarity: Pearson and Spearman correlation between embedding similarity and gold scores.",
            DataRoles = new Dictionary<string, string> { ["pairs"] = "(sentence1, sentence2, score) with scores in any range" },
            PrimaryMetric = "spearman_cosine",
            Parameters = new Dictionary<string, string>(Common)
            {
                ["similarity_fn_names"] = "similarities to correlate (default: the model's)",
                ["main_similarity"] = "which similarity is primary",
            },
            // Correlations need two pairs, so the stand-in has two.
            MetricKeys = spec => KeysOf(() => new EmbeddingSimilarityEvaluator(["a", "b"], ["c", "d"], [1.0, 0.0], spec.Name,
                Params(spec).GetOptionalString("main_similarity"), Strings(Params(spec), "similarity_fn_names"))),
            Factory = (spec, resolve, maxRows) =>
            {
                var table = Table(spec, "pairs", resolve, maxRows);
                var p = Params(spec);
                return new EmbeddingSimilarityEvaluator(Texts(table, ["sentence1"], 0, spec, "pairs"),
                    Texts(table, ["sentence2"], 1, spec, "pairs"), table.GetDoubles(Label(table, spec, "pairs")), spec.Name,
                    p.GetOptionalString("main_similarity"), Strings(p, "similarity_fn_names"), Encoding(p));
            },
        };

        yield return new EvaluatorInfo
        {
            Name = nameof(BinaryClassificationEvaluator),
            Task = "pair classification",
            Summary = "Pair classification: accuracy, F1, precision, recall and average precision at the best thresholds.",
            DataRoles = new Dictionary<string, string> { ["pairs"] = "(sentence1, sentence2, label) with labels 0/1" },
            PrimaryMetric = "cosine_ap",
            Parameters = new Dictionary<string, string>(Common) { ["similarity_fn_names"] = "similarities to test" },
            MetricKeys = spec => KeysOf(() => new BinaryClassificationEvaluator(["a", "b"], ["c", "d"], [1, 0], spec.Name,
                Strings(Params(spec), "similarity_fn_names"))),
            Factory = (spec, resolve, maxRows) =>
            {
                var table = Table(spec, "pairs", resolve, maxRows);
                var p = Params(spec);
                var labels = table.GetDoubles(Label(table, spec, "pairs")).Select(v => (int)Math.Round(v)).ToList();
                return new BinaryClassificationEvaluator(Texts(table, ["sentence1"], 0, spec, "pairs"),
                    Texts(table, ["sentence2"], 1, spec, "pairs"), labels, spec.Name,
                    Strings(p, "similarity_fn_names"), Encoding(p));
            },
        };

        yield return new EvaluatorInfo
        {
            Name = nameof(TripletEvaluator),
            Task = "triplets",
            Summary = "Triplet accuracy: how often the anchor is closer to the positive than to the negative.",
            DataRoles = new Dictionary<string, string> { ["triplets"] = "(anchor, positive, negative)" },
            PrimaryMetric = "cosine_accuracy",
            Parameters = new Dictionary<string, string>(Common)
            {
                ["margin"] = "the positive must win by this margin (default 0)",
                ["similarity_fn_names"] = "similarities to test", ["main_similarity_function"] = "which is primary",
            },
            MetricKeys = spec => KeysOf(() => new TripletEvaluator(["a"], ["b"], ["c"], spec.Name,
                Params(spec).GetOptionalString("main_similarity_function"), 0,
                Strings(Params(spec), "similarity_fn_names"))),
            Factory = (spec, resolve, maxRows) =>
            {
                var table = Table(spec, "triplets", resolve, maxRows);
                var p = Params(spec);
                return new TripletEvaluator(Texts(table, ["anchor"], 0, spec, "triplets"),
                    Texts(table, ["positive"], 1, spec, "triplets"), Texts(table, ["negative"], 2, spec, "triplets"),
                    spec.Name, p.GetOptionalString("main_similarity_function"), p.GetDouble("margin", 0),
                    Strings(p, "similarity_fn_names"), Encoding(p));
            },
        };

        yield return new EvaluatorInfo
        {
            Name = nameof(RerankingEvaluator),
            Task = "reranking",
            Summary = "Reranking with embeddings: each query's positives and negatives are ranked by similarity; MAP, MRR@k, nDCG@k.",
            DataRoles = new Dictionary<string, string> { ["samples"] = "(query, positive: [texts], negative: [texts])" },
            PrimaryMetric = "ndcg@10",
            Parameters = new Dictionary<string, string>(Common)
            {
                ["at_k"] = "cut-off for MRR and nDCG (default 10)", ["similarity_fn_name"] = "cosine or dot",
            },
            MetricKeys = spec => KeysOf(() => new RerankingEvaluator([new RerankingSample("q", ["p"], ["n"])],
                Params(spec).GetInt("at_k", 10), spec.Name)),
            Factory = (spec, resolve, maxRows) =>
            {
                var table = Table(spec, "samples", resolve, maxRows);
                var p = Params(spec);
                var queries = table.GetStrings(table.HasColumn("query") ? "query" : table.ColumnNames[0]);
                var positives = table.GetStringLists("positive");
                var negatives = table.GetStringLists("negative");
                var samples = queries.Select((q, i) => new RerankingSample(q, positives[i], negatives[i])).ToList();
                return new RerankingEvaluator(samples, p.GetInt("at_k", 10), spec.Name,
                    p.GetString("similarity_fn_name", "cosine"), Encoding(p));
            },
        };
    }

    private static Dictionary<string, string> Pairs(TabularDataset table, EvaluatorSpec spec, string role)
    {
        string idColumn = new[] { "id", "_id", "query_id", "corpus_id" }.FirstOrDefault(table.HasColumn)
            ?? throw new SpecException($"{spec.Field}.data.{role}", spec.Location,
                $"{table.SourcePath} has no id column (columns: {string.Join(", ", table.ColumnNames)})",
                "give each row an 'id' and a 'text' column");
        string textColumn = new[] { "text", "query", "document" }.FirstOrDefault(table.HasColumn)
            ?? throw new SpecException($"{spec.Field}.data.{role}", spec.Location,
                $"{table.SourcePath} has no text column (columns: {string.Join(", ", table.ColumnNames)})",
                "give each row an 'id' and a 'text' column");
        var ids = table.GetStrings(idColumn);
        var texts = table.GetStrings(textColumn);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < ids.Count; i++) map[ids[i]] = texts[i];
        return map;
    }
}
