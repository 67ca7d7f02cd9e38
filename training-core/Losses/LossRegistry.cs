using StTrain.Core.Models;
using LossFactory = System.Func<StTrain.Core.Models.SentenceTransformer?, StTrain.Core.Losses.LossParameters,
    StTrain.Core.Losses.SentenceLoss?, StTrain.Core.Losses.SentenceLoss>;

namespace StTrain.Core.Losses;

/// <summary>
/// Every loss a run spec can name, with the metadata a validator checks a dataset against and the factory that
/// builds it. Names match sentence-transformers; lookups ignore case and a "losses." style prefix.
/// </summary>
/// <remarks>
/// Families of losses that take the same data (in-batch negatives, labelled pairs, batch triplets, wrappers) are
/// built by one helper each, so every registration states only what sets it apart.
/// </remarks>
public static class LossRegistry
{
    private const string Pairs = "(anchor, positive) pairs or (anchor, positive, negative_1, ..., negative_n) n-tuples";
    private const string ScoredPairs = "(text_a, text_b) pairs";
    private const string BinaryLabel = "1 for similar pairs, 0 for dissimilar pairs";
    private const string QueryWithNegatives = "(query, positive, negative_1, ..., negative_n)";
    private const string AsInner = "whatever the inner loss takes";

    private static readonly LabelKind[] ScoreLabels = [LabelKind.Float, LabelKind.Integer];
    private static readonly LabelKind[] BinaryLabels = [LabelKind.Integer, LabelKind.Float];

    private static readonly LossParameterInfo Scale =
        new("scale", "float", 20.0, "Multiplies the similarities before the softmax (1 / temperature).");

    private static readonly LossParameterInfo Similarity =
        new("similarity_fct", "string", SimilarityFunctions.Cosine,
            "Similarity between embeddings (aliases cos_sim, dot_score, dot_product accepted).",
            SimilarityFunctions.Names);

    private static readonly LossParameterInfo StudentSimilarity =
        new("similarity_fct", "string", SimilarityFunctions.Dot, "Student similarity.", SimilarityFunctions.Names);

    private static readonly LossParameterInfo MiniBatchSize =
        new("mini_batch_size", "int", 32, "Rows per forward pass; bounds memory, not the effective batch size.");

    private static readonly LossParameterInfo SiameseDistance =
        new("distance_metric", "string", DistanceMetrics.CosineDistance, "SiameseDistanceMetric to use.",
            DistanceMetrics.Siamese);

    private static readonly LossParameterInfo MatryoshkaDims =
        new("matryoshka_dims", "int[]", null, "Dimensions to train, e.g. [768, 512, 256, 128, 64].", Required: true);

    private static readonly LossParameterInfo MatryoshkaWeights =
        new("matryoshka_weights", "float[]", null, "One weight per dimension (default: all 1).");

    private static readonly LossParameterInfo[] RankingParameters =
    [
        Scale,
        Similarity,
        new("directions", "string[]", new[] { InBatchRanking.QueryToDoc },
            "Which similarity terms enter the softmax; query_to_doc is required.", InBatchRanking.AllDirections),
        new("partition_mode", "string", InBatchRanking.Joint,
            "joint: one softmax over all directions; per_direction: one per direction, averaged.",
            InBatchRanking.PartitionModes),
        new("hardness_mode", "string", null,
            "Adds hardness_strength * sim to selected negative logits (unset: off).", InBatchRanking.HardnessModes),
        new("hardness_strength", "float", 0.0, "Strength of the hardness weighting (alpha)."),
    ];

    private static readonly LossParameterInfo[] AdaptiveLayerParameters =
    [
        new("n_layers_per_step", "int", 1, "Earlier layers sampled per step (-1 or 0: all)."),
        new("last_layer_weight", "float", 1.0, "Weight of the last layer's loss."),
        new("prior_layers_weight", "float", 1.0, "Weight of the earlier layers' losses (averaged over them)."),
        new("kl_div_weight", "float", 1.0, "Weight of the KL term between earlier layers and the last."),
        new("kl_temperature", "float", 0.3, "Softmax temperature of the KL term (<= 0 turns it off)."),
        new("layer_weighting", "string", "uniform", "Per-layer weight w(k): 1, 1/(1+ln(1+k)) or 1/(1+k).",
            AdaptiveLayerLoss.LayerWeightings),
    ];

    // GISTEmbedLoss and CachedGISTEmbedLoss: the guide and temperature, then (after the cached loss's
    // mini_batch_size) the false-negative filter.
    private static readonly LossParameterInfo[] GuideParameters =
    [
        new("guide", "string", null, "The guide model: a local folder, an HF cache id or a bundled id.",
            Required: true),
        new("temperature", "float", 0.01, "Divides the cosine similarities before the softmax."),
    ];

    private static readonly LossParameterInfo[] GuideFilterParameters =
    [
        new("margin_strategy", "string", "absolute", "How margin lowers the false-negative threshold.",
            GISTEmbedLoss.MarginStrategies),
        new("margin", "float", 0.0, "Candidates the guide scores above (positive - margin) are dropped."),
        new("contrast_anchors", "bool", true, "Also contrast each anchor with the other anchors."),
        new("contrast_positives", "bool", true, "Also contrast each positive with the other positives."),
    ];

    /// <summary>All registered losses, in registration order.</summary>
    public static IReadOnlyList<LossInfo> All { get; } = Build().ToList();

    private static readonly Dictionary<string, LossInfo> Losses =
        All.ToDictionary(i => i.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The registered names.</summary>
    public static IReadOnlyList<string> Names => All.Select(i => i.Name).ToList();

    public static bool TryGet(string name, out LossInfo info)
    {
        string key = name?.Trim() ?? string.Empty;
        int dot = key.LastIndexOf('.');
        if (dot >= 0) key = key[(dot + 1)..];
        return Losses.TryGetValue(key, out info!);
    }

    /// <summary>The loss called <paramref name="name"/>; the error lists the known names.</summary>
    public static LossInfo Get(string name) =>
        TryGet(name, out LossInfo info)
            ? info
            : throw new ArgumentException(
                $"Unknown loss '{name}'. Fix: use one of {string.Join(", ", All.Select(i => i.Name))}.");

    /// <summary>Looks the loss up and builds it (see <see cref="LossInfo.Create"/>).</summary>
    public static SentenceLoss Create(
        string name, SentenceTransformer model, LossParameters? parameters = null, SentenceLoss? inner = null) =>
        Get(name).Create(model, parameters ?? LossParameters.Empty, inner);

    /// <summary>
    /// Unlabeled <see cref="Pairs"/> whose other rows serve as negatives, so duplicates in a batch would become false
    /// negatives: the no_duplicates sampler is required.
    /// </summary>
    private static LossInfo InBatchNegatives(
        string name, string summary, IReadOnlyList<LossParameterInfo> parameters, LossFactory factory) => new()
    {
        Name = name,
        Summary = summary,
        InputDescription = Pairs,
        LabelDescription = "none",
        MinInputColumns = 2,
        MaxInputColumns = null,
        LabelKinds = [LabelKind.None],
        RequiresNoDuplicatesSampler = true,
        Parameters = parameters,
        Factory = factory,
    };

    /// <summary>A GradCache loss: it re-runs forward passes and back-propagates itself.</summary>
    private static LossInfo Cached(LossInfo info) =>
        info with { IncompatibleWithGradientCheckpointing = true, PerformsOwnBackward = true };

    /// <summary>Exactly two text columns and a label of one of <paramref name="labelKinds"/> per pair.</summary>
    private static LossInfo LabelledPairs(
        string name, string summary, string labelDescription, IReadOnlyList<LabelKind> labelKinds,
        IReadOnlyList<LossParameterInfo> parameters, LossFactory factory) => new()
    {
        Name = name,
        Summary = summary,
        InputDescription = ScoredPairs,
        LabelDescription = labelDescription,
        MinInputColumns = 2,
        MaxInputColumns = 2,
        LabelKinds = labelKinds,
        Parameters = parameters,
        Factory = factory,
    };

    /// <summary>A loss modifier: its data rules are its inner loss's.</summary>
    private static LossInfo Wrapper(
        string name, string summary, IReadOnlyList<LossParameterInfo> parameters, LossFactory factory) => new()
    {
        Name = name,
        Summary = summary,
        InputDescription = AsInner,
        LabelDescription = AsInner,
        MinInputColumns = 1,
        MaxInputColumns = null,
        LabelKinds = [LabelKind.None, LabelKind.Float, LabelKind.Integer, LabelKind.FloatVector],
        IsWrapper = true,
        Parameters = parameters,
        Factory = factory,
    };

    /// <summary>One text column and an integer class id; triplets are formed inside the batch.</summary>
    private static LossInfo BatchTriplet(
        string name, string summary, IReadOnlyList<LossParameterInfo> parameters, LossFactory factory) => new()
    {
        Name = name,
        Summary = summary + " Needs several rows per class in each batch (the group_by_label batch sampler).",
        InputDescription = "one text column; triplets are formed within the batch from rows of the same class",
        LabelDescription = "integer class id",
        MinInputColumns = 1,
        MaxInputColumns = 1,
        LabelKinds = [LabelKind.Integer],
        Parameters = parameters,
        Factory = factory,
    };

    private static double ScaleOf(LossParameters p) => p.GetDouble("scale", 20);

    private static int MiniBatchSizeOf(LossParameters p) => p.GetInt("mini_batch_size", 32);

    private static string? OptionalHardness(LossParameters p) =>
        p.Has("hardness_mode") ? p.GetChoice("hardness_mode", "", InBatchRanking.HardnessModes) : null;

    private static double HardnessStrength(LossParameters p) => p.GetDouble("hardness_strength", 0);

    private static IReadOnlyList<string> Directions(LossParameters p) =>
        p.GetStringList("directions", [InBatchRanking.QueryToDoc]);

    private static string PartitionMode(LossParameters p) =>
        p.GetChoice("partition_mode", InBatchRanking.Joint, InBatchRanking.PartitionModes);

    private static string SiameseDistanceOf(LossParameters p) =>
        p.GetString("distance_metric", DistanceMetrics.CosineDistance);

    private static string BatchTripletDistance(LossParameters p) =>
        p.GetString("distance_metric", BatchTripletDistances.EuclideanDistance);

    private static IReadOnlyList<int> MatryoshkaDimsOf(LossParameters p) => p.GetIntList("matryoshka_dims", null);

    private static IReadOnlyList<double>? MatryoshkaWeightsOf(LossParameters p) =>
        p.Has("matryoshka_weights") ? p.GetDoubleList("matryoshka_weights", null) : null;

    private static string LayerWeighting(LossParameters p) =>
        p.GetChoice("layer_weighting", "uniform", AdaptiveLayerLoss.LayerWeightings);

    private static string MarginStrategy(LossParameters p) =>
        p.GetChoice("margin_strategy", "absolute", GISTEmbedLoss.MarginStrategies);

    /// <summary>The guide model on the model's device; none on a dry run without a model.</summary>
    private static SentenceTransformer? LoadGuide(SentenceTransformer? model, string guideId) =>
        model is null ? null : SentenceTransformer.Load(guideId, model.Device);

    private static string SimilarityOf(LossParameters p, string fallback)
    {
        string value = p.GetString("similarity_fct", fallback);
        if (!SimilarityFunctions.IsKnown(value))
        {
            throw new ArgumentException($"{p.Owner}: parameter 'similarity_fct' must be one of " +
                                        $"{string.Join(", ", SimilarityFunctions.Names)}; got '{value}'.");
        }

        return value;
    }

    private static IEnumerable<LossInfo> Build()
    {
        yield return InBatchNegatives(nameof(MultipleNegativesRankingLoss),
            "In-batch negatives (InfoNCE): each anchor must score its positive above every other candidate in the " +
            "batch, including hard negatives.",
            RankingParameters,
            (m, p, _) => new MultipleNegativesRankingLoss(m, ScaleOf(p), SimilarityOf(p, SimilarityFunctions.Cosine),
                Directions(p), PartitionMode(p), OptionalHardness(p), HardnessStrength(p)));
        yield return Cached(InBatchNegatives(nameof(CachedMultipleNegativesRankingLoss),
            "MultipleNegativesRankingLoss with GradCache: the same gradients with memory bounded by mini_batch_size, " +
            "so much larger batches fit.",
            [.. RankingParameters, MiniBatchSize],
            (m, p, _) => new CachedMultipleNegativesRankingLoss(m, ScaleOf(p),
                SimilarityOf(p, SimilarityFunctions.Cosine), MiniBatchSizeOf(p), Directions(p), PartitionMode(p),
                OptionalHardness(p), HardnessStrength(p))));
        yield return InBatchNegatives(nameof(MultipleNegativesSymmetricRankingLoss),
            "In-batch negatives in both directions: anchor to candidates and positive to anchors, averaged.",
            [Scale, Similarity],
            (m, p, _) => new MultipleNegativesSymmetricRankingLoss(m, ScaleOf(p),
                SimilarityOf(p, SimilarityFunctions.Cosine)));
        yield return Cached(InBatchNegatives(nameof(CachedMultipleNegativesSymmetricRankingLoss),
            "MultipleNegativesSymmetricRankingLoss with GradCache (memory bounded by mini_batch_size).",
            [Scale, Similarity, MiniBatchSize],
            (m, p, _) => new CachedMultipleNegativesSymmetricRankingLoss(m, ScaleOf(p),
                SimilarityOf(p, SimilarityFunctions.Cosine), MiniBatchSizeOf(p))));
        yield return LabelledPairs(nameof(CoSENTLoss),
            "Ranks the pairs of a batch by cosine in the order of their gold scores.",
            "float similarity score", ScoreLabels, [Scale],
            (m, p, _) => new CoSENTLoss(m, ScaleOf(p)));
        yield return new LossInfo
        {
            Name = nameof(AnglELoss),
            Summary = "CoSENT on the angle difference in complex space, which avoids cosine saturation.",
            InputDescription = ScoredPairs + ", or unlabeled (anchor, positive, negative_1, ..., negative_n) n-tuples",
            LabelDescription = "float similarity score (optional for n-tuples)",
            MinInputColumns = 2,
            MaxInputColumns = null,
            LabelKinds = [LabelKind.Float, LabelKind.Integer, LabelKind.None],
            ExtraDataCheck = (columns, label) => columns == 2 && label == LabelKind.None
                ? "AnglELoss needs a float score column for (text_a, text_b) pairs; only n-tuples of 3 or more " +
                  "columns may go without. Fix: add a 'score' column or a negative column."
                : null,
            Parameters = [Scale],
            Factory = (m, p, _) => new AnglELoss(m, ScaleOf(p)),
        };
        yield return LabelledPairs(nameof(CosineSimilarityLoss),
            "Mean squared error between the cosine similarity of a pair and its gold score.",
            "float similarity score (usually 0..1)", ScoreLabels, [],
            (m, _, _) => new CosineSimilarityLoss(m));
        yield return new LossInfo
        {
            Name = nameof(MSELoss),
            Summary = "Distillation: mean squared error between student embeddings and the teacher embedding label.",
            InputDescription = "one or more text columns (e.g. a sentence and its translations)",
            LabelDescription = "teacher embedding vector (one per row, or one per column)",
            MinInputColumns = 1,
            MaxInputColumns = null,
            LabelKinds = [LabelKind.FloatVector],
            Factory = (m, _, _) => new MSELoss(m),
        };
        yield return LabelledPairs(nameof(ContrastiveLoss),
            "Pulls similar pairs together and pushes dissimilar pairs beyond a margin.",
            BinaryLabel, BinaryLabels,
            [
                SiameseDistance,
                new("margin", "float", 0.5, "Dissimilar pairs farther apart than this add no loss."),
                new("size_average", "bool", true, "Average over the batch (true) or sum (false)."),
            ],
            (m, p, _) => new ContrastiveLoss(m, SiameseDistanceOf(p), p.GetDouble("margin", 0.5),
                p.GetBool("size_average", true)));
        yield return LabelledPairs(nameof(OnlineContrastiveLoss),
            "ContrastiveLoss on the hard pairs of each batch only (far positives, close negatives).",
            BinaryLabel, BinaryLabels,
            [SiameseDistance, new("margin", "float", 0.5, "Negative pairs farther apart than this add no loss.")],
            (m, p, _) => new OnlineContrastiveLoss(m, SiameseDistanceOf(p), p.GetDouble("margin", 0.5)));
        yield return new LossInfo
        {
            Name = nameof(TripletLoss),
            Summary = "The anchor must be closer to the positive than to the negative by at least the margin.",
            InputDescription = "(anchor, positive, negative) triplets",
            LabelDescription = "none",
            MinInputColumns = 3,
            MaxInputColumns = 3,
            LabelKinds = [LabelKind.None],
            Parameters =
            [
                new("distance_metric", "string", DistanceMetrics.Euclidean, "TripletDistanceMetric to use.",
                    DistanceMetrics.Triplet),
                new("triplet_margin", "float", 5.0, "Required gap between negative and positive distance."),
            ],
            Factory = (m, p, _) => new TripletLoss(m, p.GetString("distance_metric", DistanceMetrics.Euclidean),
                p.GetDouble("triplet_margin", 5)),
        };
        yield return new LossInfo
        {
            Name = nameof(MarginMSELoss),
            Summary = "Distillation: the student's margin sim(q,p) - sim(q,n) should equal the teacher's margin.",
            InputDescription = QueryWithNegatives,
            LabelDescription = "teacher margin(s) sim(q,p) - sim(q,n_k), or teacher scores [pos, neg_1..neg_n]",
            MinInputColumns = 3,
            MaxInputColumns = null,
            LabelKinds = [LabelKind.Float, LabelKind.FloatVector],
            ExtraDataCheck = (columns, label) => columns > 3 && label == LabelKind.Float
                ? $"MarginMSELoss with {columns - 2} negatives needs a list of {columns - 2} margins (or " +
                  $"{columns - 1} teacher scores) per row, not one number. Fix: store the label as a list."
                : null,
            Parameters = [StudentSimilarity],
            Factory = (m, p, _) => new MarginMSELoss(m, SimilarityOf(p, SimilarityFunctions.Dot)),
        };
        yield return LabelledPairs(nameof(SoftmaxLoss),
            "Classifies the pair (e.g. NLI entailment/neutral/contradiction) from [u; v; |u-v|].",
            "integer class id 0..num_labels-1", [LabelKind.Integer],
            [
                new("num_labels", "int", null, "Number of classes.", Required: true),
                new("embedding_dimension", "int", null, "Embedding size (default: the model's)."),
                new("concatenation_sent_rep", "bool", true, "Feed u and v to the classifier."),
                new("concatenation_sent_difference", "bool", true, "Feed |u - v| to the classifier."),
                new("concatenation_sent_multiplication", "bool", false, "Feed u * v to the classifier."),
            ],
            (m, p, _) => new SoftmaxLoss(m,
                p.GetOptionalInt("embedding_dimension") ?? m?.EmbeddingDimension ?? 1,
                p.GetRequiredInt("num_labels"),
                p.GetBool("concatenation_sent_rep", true),
                p.GetBool("concatenation_sent_difference", true),
                p.GetBool("concatenation_sent_multiplication", false)));
        foreach (LossInfo info in BatchTripletLosses()) yield return info;
        foreach (LossInfo info in NewerLosses()) yield return info;
        yield return InBatchNegatives(nameof(GISTEmbedLoss),
            "In-batch negatives guided by a frozen guide model that removes likely false negatives.",
            [.. GuideParameters, .. GuideFilterParameters],
            (m, p, _) =>
            {
                string guideId = p.GetRequiredString("guide");
                string strategy = MarginStrategy(p);
                SentenceTransformer? guide = LoadGuide(m, guideId);
                return new GISTEmbedLoss(m, guide, p.GetDouble("temperature", 0.01), strategy,
                    p.GetDouble("margin", 0), p.GetBool("contrast_anchors", true),
                    p.GetBool("contrast_positives", true), ownsGuide: true);
            }) with
        {
            InputDescription = "(anchor, positive) pairs or (anchor, positive, negative) triplets",
            MaxInputColumns = 3,
        };
        yield return Cached(InBatchNegatives(nameof(MegaBatchMarginLoss),
            "Positive similarity above positive_margin, hardest in-batch negative below negative_margin; meant for " +
            "very large batches.",
            [
                new("positive_margin", "float", 0.8, "Target minimum cosine of a positive pair."),
                new("negative_margin", "float", 0.3, "Target maximum cosine of the hardest negative."),
                new("use_mini_batched_version", "bool", true,
                    "GradCache over mini-batches (own backward); false embeds the whole batch at once."),
                new("mini_batch_size", "int", 50, "Rows per forward pass of the mini-batched version."),
            ],
            (m, p, _) => new MegaBatchMarginLoss(m, p.GetDouble("positive_margin", 0.8),
                p.GetDouble("negative_margin", 0.3), p.GetBool("use_mini_batched_version", true),
                p.GetInt("mini_batch_size", 50)))) with
        {
            InputDescription = "(anchor, positive) pairs",
            MaxInputColumns = 2,
        };
        yield return new LossInfo
        {
            Name = nameof(DistillKLDivLoss),
            Summary = "Distillation: KL divergence between the teacher's and the student's softmax over candidates.",
            InputDescription = QueryWithNegatives,
            LabelDescription = "teacher scores [score(q, positive), score(q, negative_1), ...]",
            MinInputColumns = 3,
            MaxInputColumns = null,
            LabelKinds = [LabelKind.FloatVector],
            Parameters =
            [
                StudentSimilarity,
                new("temperature", "float", 1.0, "Softmax temperature of both student and teacher."),
                new("student_temperature", "float", null, "Student temperature (default: temperature)."),
                new("teacher_temperature", "float", null, "Teacher temperature (default: temperature)."),
            ],
            Factory = (m, p, _) => new DistillKLDivLoss(m, SimilarityOf(p, SimilarityFunctions.Dot),
                p.GetDouble("temperature", 1.0), p.GetOptionalDouble("student_temperature"),
                p.GetOptionalDouble("teacher_temperature")),
        };
        yield return new LossInfo
        {
            Name = nameof(GlobalOrthogonalRegularizationLoss),
            Summary = "Regularizer: spreads the batch's embeddings towards orthogonal directions (mean and second " +
                      "moment of their similarities).",
            InputDescription = "one or more text columns",
            LabelDescription = "none (ignored)",
            MinInputColumns = 1,
            MaxInputColumns = null,
            LabelKinds = [LabelKind.None],
            Parameters =
            [
                new("similarity_fct", "string", SimilarityFunctions.Cosine, "Similarity between embeddings.",
                    SimilarityFunctions.Names),
                new("mean_weight", "float", 1.0, "Weight of the squared mean similarity term."),
                new("second_moment_weight", "float", 1.0, "Weight of the second moment term."),
                new("aggregation", "string", "mean", "How the columns' terms combine.", ["mean", "sum"]),
            ],
            Factory = (m, p, _) => new GlobalOrthogonalRegularizationLoss(m,
                SimilarityOf(p, SimilarityFunctions.Cosine),
                p.GetDouble("mean_weight", 1.0), p.GetDouble("second_moment_weight", 1.0),
                p.GetChoice("aggregation", "mean", ["mean", "sum"])),
        };
        yield return Wrapper(nameof(MatryoshkaLoss),
            "Applies the inner loss to embeddings truncated to each of matryoshka_dims and sums them, so truncated " +
            "embeddings stay useful.",
            [
                MatryoshkaDims,
                MatryoshkaWeights,
                new("n_dims_per_step", "int", -1, "Sample this many dimensions per step (-1: all)."),
            ],
            (m, p, inner) => new MatryoshkaLoss(m, inner!, MatryoshkaDimsOf(p), MatryoshkaWeightsOf(p),
                p.GetInt("n_dims_per_step", -1)));
    }

    private static IEnumerable<LossInfo> NewerLosses()
    {
        yield return new LossInfo
        {
            Name = nameof(ContrastiveTensionLoss),
            Summary = "Contrastive Tension: an independent copy of the model embeds text1, the trained model text2; " +
                      "binary cross-entropy of their dot product against 1 (same text) or 0 (different texts).",
            InputDescription = "(text1, text2) pairs: identical texts for positives, different texts for negatives " +
                               "(build them from plain sentences with ContrastiveTensionPairs, 1 positive : " +
                               "pos_neg_ratio - 1 negatives)",
            LabelDescription = "optional 0/1 label (default: 1 when both texts tokenize identically)",
            MinInputColumns = 2,
            MaxInputColumns = 2,
            LabelKinds = [LabelKind.None, LabelKind.Integer, LabelKind.Float],
            Factory = (m, _, _) => new ContrastiveTensionLoss(m),
        };
        yield return new LossInfo
        {
            Name = nameof(ContrastiveTensionLossInBatchNegatives),
            Summary = "Contrastive Tension with in-batch negatives: the model copy's and the trained model's " +
                      "embeddings of the same sentences must match each other and no other sentence of the batch.",
            InputDescription = "one text column of plain sentences",
            LabelDescription = "none",
            MinInputColumns = 1,
            MaxInputColumns = 1,
            LabelKinds = [LabelKind.None],
            RequiresNoDuplicatesSampler = true,
            Parameters =
            [
                new("scale", "float", 20.0, "Initial value of the trained scale exp(logit_scale)."),
                Similarity,
            ],
            Factory = (m, p, _) => new ContrastiveTensionLossInBatchNegatives(m, ScaleOf(p),
                SimilarityOf(p, SimilarityFunctions.Cosine)),
        };
        yield return Wrapper(nameof(AdaptiveLayerLoss),
            "Applies the inner loss to the last layer and to randomly chosen earlier layers, with a KL term pulling " +
            "earlier layers towards the last, so the model can be cut to fewer layers.",
            AdaptiveLayerParameters,
            (m, p, inner) => new AdaptiveLayerLoss(m, inner!, p.GetInt("n_layers_per_step", 1),
                p.GetDouble("last_layer_weight", 1), p.GetDouble("prior_layers_weight", 1),
                p.GetDouble("kl_div_weight", 1), p.GetDouble("kl_temperature", 0.3), LayerWeighting(p)));
        yield return Wrapper(nameof(Matryoshka2dLoss),
            "AdaptiveLayerLoss over MatryoshkaLoss: the inner loss over earlier layers and truncated dimensions at " +
            "once.",
            [
                MatryoshkaDims,
                MatryoshkaWeights,
                new("n_dims_per_step", "int", 1, "Sample this many dimensions per step (-1: all)."),
                .. AdaptiveLayerParameters,
            ],
            (m, p, inner) => new Matryoshka2dLoss(m, inner!, MatryoshkaDimsOf(p), MatryoshkaWeightsOf(p),
                p.GetInt("n_layers_per_step", 1), p.GetInt("n_dims_per_step", 1),
                p.GetDouble("last_layer_weight", 1), p.GetDouble("prior_layers_weight", 1),
                p.GetDouble("kl_div_weight", 1), p.GetDouble("kl_temperature", 0.3), LayerWeighting(p)));
        yield return Cached(InBatchNegatives(nameof(CachedGISTEmbedLoss),
            "GISTEmbedLoss with GradCache: guide-filtered in-batch negatives with memory bounded by mini_batch_size.",
            [.. GuideParameters, MiniBatchSize, .. GuideFilterParameters],
            (m, p, _) =>
            {
                string guideId = p.GetRequiredString("guide");
                string strategy = MarginStrategy(p);
                double temperature = p.GetDouble("temperature", 0.01);
                int miniBatchSize = MiniBatchSizeOf(p);
                SentenceTransformer? guide = LoadGuide(m, guideId);
                return new CachedGISTEmbedLoss(m, guide, temperature, miniBatchSize, strategy,
                    p.GetDouble("margin", 0), p.GetBool("contrast_anchors", true),
                    p.GetBool("contrast_positives", true), ownsGuide: true);
            }));
        yield return new LossInfo
        {
            Name = nameof(DenoisingAutoEncoderLoss),
            Summary = "TSDAE: a decoder must reconstruct the original sentence from the embedding of a damaged " +
                      "copy (words deleted), which trains the encoder without labels.",
            InputDescription = "(damaged, original) pairs, e.g. built with DenoisingAutoEncoderPairs (deletion noise " +
                               "ratio 0.6)",
            LabelDescription = "none",
            MinInputColumns = 2,
            MaxInputColumns = 2,
            LabelKinds = [LabelKind.None],
            Parameters =
            [
                new("decoder_name_or_path", "string", null,
                    "The decoder's BERT model; only with tie_encoder_decoder: false (tied: the encoder itself)."),
                new("tie_encoder_decoder", "bool", true,
                    "Share the encoder's BERT weights and word embeddings with the decoder."),
            ],
            Factory = (m, p, _) => new DenoisingAutoEncoderLoss(m, p.GetOptionalString("decoder_name_or_path"),
                p.GetBool("tie_encoder_decoder", true)),
        };
    }

    private static IEnumerable<LossInfo> BatchTripletLosses()
    {
        LossParameterInfo distance = new("distance_metric", "string", BatchTripletDistances.EuclideanDistance,
            "BatchHardTripletLossDistanceFunction to use.", BatchTripletDistances.Names);
        LossParameterInfo margin = new("margin", "float", 5.0, "Required gap between negative and positive distance.");
        yield return BatchTriplet(nameof(BatchAllTripletLoss),
            "Averages the triplet loss over every valid in-batch triplet that still violates the margin.",
            [distance, margin],
            (m, p, _) => new BatchAllTripletLoss(m, BatchTripletDistance(p), p.GetDouble("margin", 5)));
        yield return BatchTriplet(nameof(BatchHardTripletLoss),
            "Per anchor: its hardest positive against its hardest negative in the batch.",
            [distance, margin],
            (m, p, _) => new BatchHardTripletLoss(m, BatchTripletDistance(p), p.GetDouble("margin", 5)));
        yield return BatchTriplet(nameof(BatchSemiHardTripletLoss),
            "Per positive pair: the closest negative that is still farther than the positive.",
            [distance, margin],
            (m, p, _) => new BatchSemiHardTripletLoss(m, BatchTripletDistance(p), p.GetDouble("margin", 5)));
        yield return BatchTriplet(nameof(BatchHardSoftMarginTripletLoss),
            "BatchHardTripletLoss with a soft margin log(1 + exp(d_pos - d_neg)).",
            [distance],
            (m, p, _) => new BatchHardSoftMarginTripletLoss(m, BatchTripletDistance(p)));
    }
}
