using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Data;

/// <summary>
/// Adds hard negatives to (anchor, positive) pairs, following the option semantics of sentence-transformers'
/// <c>mine_hard_negatives</c>: exact cosine search of every unique anchor against the corpus (the positives plus an
/// optional extra corpus), optional cross-encoder rescoring, filters (margins, min/max score), a rank window
/// [range_min, range_max) and top or random sampling, written as triplet, n-tuple, labeled-pair or labeled-list rows.
/// </summary>
public static class HardNegativeMiner
{
    // A struct: a large mining run holds queries × (range_max + positives) of these at once.
    private readonly record struct Candidate(int Index, double Score);

    /// <summary>
    /// Mines negatives for <paramref name="dataset"/>. <paramref name="embed"/> maps texts to embeddings [N, D]
    /// (they are L2-normalised here, so scores are cosine similarities); <paramref name="embedCorpus"/> (default
    /// <paramref name="embed"/>) embeds the corpus, e.g. with a document prompt.
    /// </summary>
    /// <exception cref="ArgumentException">Bad options, columns or embedding shapes; the message names the
    /// fix.</exception>
    public static HardNegativeMiningResult Mine(TabularDataset dataset, Func<IReadOnlyList<string>, Tensor> embed,
        HardNegativeMiningOptions? options = null, IReadOnlyList<string>? corpus = null,
        IPairScorer? crossEncoder = null, Func<IReadOnlyList<string>, Tensor>? embedCorpus = null,
        Action<string>? log = null)
    {
        options ??= new HardNegativeMiningOptions();
        options.Validate();
        if (dataset.Count == 0)
            throw new ArgumentException("The dataset is empty. Fix: give at least one (anchor, positive) row.");
        if (dataset.ColumnNames.Count < 2)
            throw new ArgumentException(
                $"The dataset has {dataset.ColumnNames.Count} column; mining needs an anchor and a positive column.");
        string anchorColumn = options.AnchorColumn ?? dataset.ColumnNames[0];
        string positiveColumn = options.PositiveColumn ?? dataset.ColumnNames[1];
        if (anchorColumn == positiveColumn)
            throw new ArgumentException(
                $"The anchor and positive columns are both '{anchorColumn}'. Fix: name two different columns.");
        IReadOnlyList<string> anchors = dataset.GetStrings(anchorColumn);
        IReadOnlyList<string> positives = dataset.GetStrings(positiveColumn);

        var notes = new List<string>();
        string format = options.OutputFormat;
        bool filtering = options.AbsoluteMargin is not null || options.RelativeMargin is not null
            || options.MaxScore is not null;
        if (options.IncludePositives)
        {
            if (filtering || options.MinScore is not null || options.RangeMin != 0 || options.RangeMax is not null
                || options.SamplingStrategy != HardNegativeMiningOptions.Top)
                notes.Add("include_positives is set, but the range, score, margin or sampling options may still " +
                          "drop the positives from the candidates.");
            if (format != HardNegativeMiningOptions.NTuple)
            {
                notes.Add("include_positives keeps the ranking order, so output_format is n-tuple instead of " +
                          $"{format}.");
                format = HardNegativeMiningOptions.NTuple;
            }
        }

        // Rows per anchor: an anchor that repeats has several positives.
        var rowsPerAnchor = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string a in anchors) rowsPerAnchor[a] = rowsPerAnchor.GetValueOrDefault(a) + 1;
        int maxPositives = rowsPerAnchor.Values.Max();
        int numNegatives = options.NumNegatives;
        int rangeMin = options.RangeMin;
        int rangeMax = options.RangeMax ?? (filtering
            ? rangeMin + 10 * numNegatives + maxPositives
            : rangeMin + numNegatives + maxPositives);
        if (rangeMin >= rangeMax)
            throw new ArgumentException(
                $"range_min ({rangeMin}) must be smaller than range_max ({rangeMax}). Fix: lower range_min or raise " +
                "range_max.");
        if (numNegatives > rangeMax - rangeMin)
            throw new ArgumentException(
                $"num_negatives {numNegatives} does not fit the {rangeMax - rangeMin} candidates between range_min " +
                $"{rangeMin} and range_max {rangeMax}. Fix: lower num_negatives or range_min, or raise range_max.");

        // Corpus = extra corpus then positives, de-duplicated; queries de-duplicated, both in first-seen order.
        var corpusTexts = Distinct((corpus ?? []).Concat(positives));
        var corpusIndex = Index(corpusTexts);
        var queries = Distinct(anchors);
        var queryIndex = Index(queries);
        int n = queries.Count;
        var positiveIds = Enumerable.Range(0, n).Select(_ => new List<int>()).ToArray();
        for (int r = 0; r < anchors.Count; r++)
        {
            int p = corpusIndex[positives[r]];
            var list = positiveIds[queryIndex[anchors[r]]];
            if (!list.Contains(p)) list.Add(p);
        }
        if (n != anchors.Count) log?.Invoke($"{n} unique anchors among {anchors.Count} rows.");

        int width = rangeMax + maxPositives;
        Candidate[][] candidates;
        double[][] positiveScores;
        using (NewDisposeScope())
        {
            log?.Invoke($"Embedding {corpusTexts.Count} corpus texts and {n} anchors ...");
            Tensor corpusEmbeddings = EmbedNormalized(embedCorpus ?? embed, corpusTexts, "corpus");
            Tensor queryEmbeddings = EmbedNormalized(embed, queries, "anchor");
            if (corpusEmbeddings.shape[1] != queryEmbeddings.shape[1])
                throw new ArgumentException(
                    $"Anchor embeddings have {queryEmbeddings.shape[1]} dimensions but corpus embeddings have " +
                    $"{corpusEmbeddings.shape[1]}. Fix: embed both with the same model.");
            candidates = Search(queryEmbeddings, corpusEmbeddings, width, options);
            positiveScores = new double[n][];
            for (int q = 0; q < n; q++)
            {
                using var step = NewDisposeScope();
                var ids = tensor(positiveIds[q].Select(i => (long)i).ToArray());
                var dots = corpusEmbeddings.index_select(0, ids).matmul(queryEmbeddings[q]);
                positiveScores[q] = dots.data<float>().ToArray().Select(v => (double)v).ToArray();
            }
        }

        if (crossEncoder is not null && filtering)
        {
            log?.Invoke("Rescoring candidates and positives with the cross-encoder ...");
            for (int q = 0; q < n; q++)
            {
                var valid = candidates[q].Where(c => c.Index >= 0).ToList();
                var rescored = crossEncoder.Score(valid.Select(c => (queries[q], corpusTexts[c.Index])).ToList(),
                    options.BatchSize);
                CheckCount(rescored, valid.Count);
                var byIndex = valid.Select((c, i) => new Candidate(c.Index, rescored[i])).ToList();
                candidates[q] = byIndex.Concat(candidates[q].Where(c => c.Index < 0)).ToArray();
                var positiveRescored = crossEncoder.Score(
                    positiveIds[q].Select(p => (queries[q], corpusTexts[p])).ToList(), options.BatchSize);
                CheckCount(positiveRescored, positiveIds[q].Count);
                positiveScores[q] = positiveRescored.Select(v => (double)v).ToArray();
            }
        }
        else if (crossEncoder is not null)
        {
            notes.Add("The cross-encoder was not used: as upstream, it only rescores when absolute_margin, " +
                      "relative_margin or max_score is set.");
        }

        var skipped = Filter(candidates, positiveIds, positiveScores, options, width);
        var rng = new DeterministicRandom(options.Seed);
        var chosen = new Candidate[n][];
        for (int q = 0; q < n; q++)
        {
            var window = candidates[q].OrderByDescending(c => c.Score).Take(rangeMax).Skip(rangeMin).ToArray();
            if (options.SamplingStrategy == HardNegativeMiningOptions.Top)
            {
                chosen[q] = window.Take(numNegatives).ToArray();
            }
            else
            {
                int valid = window.Count(c => !double.IsNegativeInfinity(c.Score));
                int pool = Math.Max(valid, numNegatives);
                chosen[q] = rng.SampleIndices(pool, numNegatives).Select(i => window[i])
                    .OrderByDescending(c => c.Score).ToArray();
            }
        }

        var output = Assemble(format, options.OutputScores, anchorColumn, positiveColumn, queries, corpusTexts,
            positiveIds, positiveScores, chosen, numNegatives, dataset.Count);
        var summary = new HardNegativeMiningSummary
        {
            UniqueQueries = n,
            CorpusSize = corpusTexts.Count,
            RangeMax = rangeMax,
            OutputFormat = format,
            Positive = ScoreStatistics.From(positiveScores.SelectMany(s => s).ToList()),
            Negative = ScoreStatistics.From(output.NegativeScores),
            Difference = ScoreStatistics.From(output.Differences),
            Skipped = skipped,
            MaximumPossibleRows = output.MaximumPossibleRows,
            Rows = output.Dataset.Count,
            Notes = notes,
        };
        return new HardNegativeMiningResult(output.Dataset, summary);
    }

    /// <summary>Per query, the <paramref name="width"/> best corpus entries (score desc, index asc), padded with
    /// index −1 / −∞ when the corpus is smaller; computed in query chunks that bound the score matrix size.</summary>
    private static Candidate[][] Search(Tensor queries, Tensor corpus, int width, HardNegativeMiningOptions options)
    {
        int n = (int)queries.shape[0];
        int corpusSize = (int)corpus.shape[0];
        int k = Math.Min(width, corpusSize);
        int chunk = (int)Math.Max(1, Math.Min(options.SearchBatchSize, options.MaxSimilarityElements / corpusSize));
        var result = new Candidate[n][];
        using var corpusT = corpus.t().contiguous();
        for (int start = 0; start < n; start += chunk)
        {
            using var scope = NewDisposeScope();
            int length = Math.Min(chunk, n - start);
            var scores = queries.narrow(0, start, length).matmul(corpusT);
            var (values, indices) = scores.topk(k, dim: 1, largest: true, sorted: true);
            float[] v = values.data<float>().ToArray();
            long[] ix = indices.data<long>().ToArray();
            for (int r = 0; r < length; r++)
            {
                var row = new Candidate[width];
                for (int j = 0; j < k; j++) row[j] = new Candidate((int)ix[r * k + j], v[r * k + j]);
                // Ties inside the kept set get a fixed order; a tie at the cut-off is decided by torch.topk.
                Array.Sort(row, 0, k, Comparer<Candidate>.Create((a, b) =>
                    a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Index.CompareTo(b.Index)));
                for (int j = k; j < width; j++) row[j] = new Candidate(-1, double.NegativeInfinity);
                result[start + r] = row;
            }
        }
        return result;
    }

    /// <summary>
    /// Sets discarded candidates to −∞: padding, positives (unless include_positives), then absolute_margin,
    /// relative_margin, max_score, min_score in upstream's order. Returns the per-filter counts; each ratio is over
    /// the candidates left before that filter (upstream only shrinks that count after the margin filters).
    /// </summary>
    private static List<(string, double, long, double)> Filter(Candidate[][] candidates, List<int>[] positiveIds,
        double[][] positiveScores, HardNegativeMiningOptions options, int width)
    {
        int n = candidates.Length;
        for (int q = 0; q < n; q++)
        {
            var row = candidates[q];
            for (int j = 0; j < row.Length; j++)
            {
                bool drop = row[j].Index < 0 || (!options.IncludePositives && positiveIds[q].Contains(row[j].Index));
                if (drop) row[j] = row[j] with { Score = double.NegativeInfinity };
            }
        }
        double remaining = (double)n * width;
        var skipped = new List<(string, double, long, double)>();
        double[] lowestPositive = positiveScores.Select(s => s.Min()).ToArray();

        void Apply(string name, double value, Func<int, double, bool> discard, bool shrink)
        {
            long count = 0;
            for (int q = 0; q < n; q++)
            {
                var row = candidates[q];
                for (int j = 0; j < row.Length; j++)
                {
                    // Already discarded candidates are not counted again (upstream counts −∞ < min_score too).
                    if (double.IsNegativeInfinity(row[j].Score) || !discard(q, row[j].Score)) continue;
                    row[j] = row[j] with { Score = double.NegativeInfinity };
                    count++;
                }
            }
            if (count == 0) return;
            skipped.Add((name, value, count, remaining > 0 ? count / remaining : 0));
            if (shrink) remaining -= count;
        }

        if (options.AbsoluteMargin is { } absolute)
            Apply("absolute_margin", absolute, (q, s) => s + absolute > lowestPositive[q], shrink: true);
        if (options.RelativeMargin is { } relative)
            Apply("relative_margin", relative,
                (q, s) => s > lowestPositive[q] - Math.Abs(lowestPositive[q]) * relative, shrink: true);
        if (options.MaxScore is { } max) Apply("max_score", max, (_, s) => s > max, shrink: false);
        if (options.MinScore is { } min) Apply("min_score", min, (_, s) => s < min, shrink: false);
        return skipped;
    }

    private sealed record Assembled(TabularDataset Dataset, List<double> NegativeScores, List<double> Differences,
        long MaximumPossibleRows);

    private static Assembled Assemble(string format, bool outputScores, string anchorColumn, string positiveColumn,
        IReadOnlyList<string> queries, IReadOnlyList<string> corpus, List<int>[] positiveIds,
        double[][] positiveScores, Candidate[][] chosen, int numNegatives, int datasetRows)
    {
        var rows = new List<object?[]>();
        var negativeScores = new List<double>();
        var differences = new List<double>();
        int pairs = positiveIds.Sum(p => p.Count);
        string[] columns;
        long maximum;
        static bool Valid(Candidate c) => !double.IsNegativeInfinity(c.Score);

        switch (format)
        {
            case HardNegativeMiningOptions.Triplet:
                columns = outputScores
                    ? [anchorColumn, positiveColumn, "negative", "scores"]
                    : [anchorColumn, positiveColumn, "negative"];
                maximum = (long)pairs * numNegatives;
                ForEachPair((q, p, positiveScore) =>
                {
                    foreach (Candidate c in chosen[q].Where(Valid))
                    {
                        rows.Add(outputScores
                            ? [queries[q], corpus[p], corpus[c.Index], new object?[] { positiveScore, c.Score }]
                            : [queries[q], corpus[p], corpus[c.Index]]);
                        negativeScores.Add(c.Score);
                        differences.Add(positiveScore - c.Score);
                    }
                });
                break;
            case HardNegativeMiningOptions.NTuple:
                columns = [anchorColumn, positiveColumn,
                    .. Enumerable.Range(1, numNegatives).Select(i => $"negative_{i}"),
                    .. outputScores ? new[] { "scores" } : []];
                maximum = pairs;
                ForEachPair((q, p, positiveScore) =>
                {
                    if (!chosen[q].All(Valid)) return;
                    var row = new List<object?> { queries[q], corpus[p] };
                    row.AddRange(chosen[q].Select(c => (object?)corpus[c.Index]));
                    if (outputScores)
                        row.Add(new object?[] { positiveScore }.Concat(chosen[q].Select(c => (object?)c.Score))
                            .ToArray());
                    rows.Add(row.ToArray());
                    negativeScores.AddRange(chosen[q].Select(c => c.Score));
                    differences.AddRange(chosen[q].Select(c => positiveScore - c.Score));
                });
                break;
            case HardNegativeMiningOptions.LabeledPair:
                columns = [anchorColumn, positiveColumn, outputScores ? "score" : "label"];
                maximum = (long)queries.Count * numNegatives + datasetRows;
                for (int q = 0; q < queries.Count; q++)
                {
                    for (int i = 0; i < positiveIds[q].Count; i++)
                    {
                        rows.Add([queries[q], corpus[positiveIds[q][i]],
                            outputScores ? (object)positiveScores[q][i] : 1L]);
                        foreach (Candidate c in chosen[q].Where(Valid))
                        {
                            negativeScores.Add(c.Score);
                            differences.Add(positiveScores[q][i] - c.Score);
                        }
                    }
                    foreach (Candidate c in chosen[q].Where(Valid))
                        rows.Add([queries[q], corpus[c.Index], outputScores ? (object)c.Score : 0L]);
                }
                break;
            default:
                columns = [anchorColumn, positiveColumn, outputScores ? "scores" : "labels"];
                maximum = pairs;
                ForEachPair((q, p, positiveScore) =>
                {
                    var valid = chosen[q].Where(Valid).ToList();
                    if (valid.Count == 0) return;
                    object?[] documents = [corpus[p], .. valid.Select(c => (object?)corpus[c.Index])];
                    object?[] labels = outputScores
                        ? [positiveScore, .. valid.Select(c => (object?)c.Score)]
                        : [1L, .. valid.Select(_ => (object?)0L)];
                    rows.Add([queries[q], documents, labels]);
                    negativeScores.AddRange(valid.Select(c => c.Score));
                    differences.AddRange(valid.Select(c => positiveScore - c.Score));
                });
                break;
        }
        return new Assembled(new TabularDataset(columns, rows), negativeScores, differences, maximum);

        void ForEachPair(Action<int, int, double> action)
        {
            for (int q = 0; q < queries.Count; q++)
            for (int i = 0; i < positiveIds[q].Count; i++)
                action(q, positiveIds[q][i], positiveScores[q][i]);
        }
    }

    private static Tensor EmbedNormalized(Func<IReadOnlyList<string>, Tensor> embed, IReadOnlyList<string> texts,
        string what)
    {
        Tensor raw = embed(texts);
        if (raw.dim() != 2 || raw.shape[0] != texts.Count)
            throw new ArgumentException(
                $"The {what} embedding function returned shape [{string.Join(", ", raw.shape)}] for {texts.Count} " +
                "texts. Fix: return one embedding row per text, shape [N, D].");
        return nn.functional.normalize(raw.to(ScalarType.Float32).cpu(), p: 2, dim: 1);
    }

    private static void CheckCount(IReadOnlyList<float> scores, int expected)
    {
        if (scores.Count != expected)
            throw new ArgumentException(
                $"The cross-encoder returned {scores.Count} scores for {expected} pairs. Fix: return one score " +
                "per pair.");
    }

    private static List<string> Distinct(IEnumerable<string> texts)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return texts.Where(seen.Add).ToList();
    }

    private static Dictionary<string, int> Index(List<string> texts)
    {
        var index = new Dictionary<string, int>(texts.Count, StringComparer.Ordinal);
        for (int i = 0; i < texts.Count; i++) index[texts[i]] = i;
        return index;
    }
}
