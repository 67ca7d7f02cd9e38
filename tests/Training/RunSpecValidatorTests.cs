using System.Text.Json;
using StTrain.Core.Training;
using StTrain.Core.Training.Spec;
using Xunit;

namespace StTrain.Tests.Training;

/// <summary>
/// Crafted specs over tiny JSONL files: every mismatch between the loss, the data, the evaluators and the training
/// arguments must come back as a finding that names the field and says what to do.
/// </summary>
public sealed class RunSpecValidatorTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("st-train-validator-").FullName;
    private int specs;

    public RunSpecValidatorTests()
    {
        Write("pairs.jsonl", Enumerable.Range(0, 6).Select(i => new { anchor = $"a{i}", positive = $"p{i}" }));
        Write("single.jsonl", Enumerable.Range(0, 6).Select(i => new { text = $"t{i}" }));
        Write("scored.jsonl",
            Enumerable.Range(0, 6).Select(i => new { s1 = $"a{i}", s2 = $"b{i}", score = 0.05 + i / 8.0 }));
        Write("classes.jsonl",
            Enumerable.Range(0, 6).Select(i => new { premise = $"a{i}", hypothesis = $"b{i}", label = i % 3 }));
        Write("scored_triplets.jsonl",
            Enumerable.Range(0, 6).Select(i => new { a = $"a{i}", b = $"b{i}", c = $"c{i}", score = 0.5 }));
        Write("vectors.jsonl",
            Enumerable.Range(0, 6).Select(i => new { english = $"e{i}", label = new[] { 0.1, 0.2, 0.3 } }));
        Write("mixed.jsonl", new object[]
        {
            new { anchor = "a", positive = "p", label = 1 },
            new { anchor = "b", positive = "q", label = new[] { 0.5 } },
        });
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    private void Write(string name, IEnumerable<object> rows) =>
        File.WriteAllLines(Path.Combine(root, name), rows.Select(r => JsonSerializer.Serialize(r)));

    private const string IrEvaluator = """
        evaluators:
          - type: InformationRetrievalEvaluator
            name: dev
            data:
              queries: q.jsonl
              corpus: c.jsonl
              qrels: r.jsonl
        """;

    /// <summary>Writes a spec; <paramref name="loss"/> and <paramref name="training"/> are YAML blocks.</summary>
    private RunSpec Spec(string loss = "name: MultipleNegativesRankingLoss", string data = "pairs.jsonl",
        string training = "batch_sampler: no_duplicates", string evaluators = IrEvaluator, string extra = "",
        string model = "")
    {
        string yaml = $"run_name: v{specs}\nmodel:\n  id: some-model\n{model}data:\n  train:\n    path: {data}\n" +
                      $"loss:\n{Indent(loss)}\n{evaluators}\ntraining:\n{Indent(training)}\n{extra}\n";
        string path = Path.Combine(root, $"spec{specs++}.yaml");
        File.WriteAllText(path, yaml);
        return RunSpec.Load(path);
    }

    private static string Indent(string yaml) => string.Join("\n", yaml.Split('\n').Select(l => "  " + l));

    private static IReadOnlyList<SpecError> Static(RunSpec spec) => RunSpecValidator.ValidateStatic(spec);

    private static IReadOnlyList<SpecError> Data(RunSpec spec) =>
        RunSpecValidator.ValidateData(spec, spec.Train.Select(d => PreparedDataset.Load(d, spec.Resolve)).ToList());

    private static SpecError Single(IReadOnlyList<SpecError> errors, string field)
    {
        var matching = errors.Where(e => e.Field == field).ToList();
        Assert.True(matching.Count == 1,
            $"expected one finding on {field}, got: {string.Join(" | ", errors.Select(e => e.ToString()))}");
        return matching[0];
    }

    [Fact]
    public void A_consistent_spec_has_no_findings()
    {
        var spec = Spec(training: "batch_sampler: no_duplicates\neval_strategy: steps\neval_steps: 5\n" +
                                  "save_steps: 10\nload_best_model_at_end: true\n" +
                                  "metric_for_best_model: dev_cosine_ndcg@10");
        Assert.Empty(Static(spec));
        Assert.Empty(Data(spec));
    }

    [Theory]
    [InlineData("name: CoSENTLoss", "scored.jsonl")]
    [InlineData("name: CoSENTLoss", "classes.jsonl")]             // whole-number scores are fine for CoSENT
    [InlineData("name: CosineSimilarityLoss", "scored.jsonl")]
    [InlineData("name: MSELoss", "vectors.jsonl")]
    [InlineData("name: SoftmaxLoss\nparams:\n  num_labels: 3", "classes.jsonl")]
    [InlineData("name: MultipleNegativesRankingLoss", "classes.jsonl")] // a label column is ignored by MNRL
    [InlineData("name: AnglELoss", "scored_triplets.jsonl")]
    public void Matching_loss_and_data_shapes_pass(string loss, string data)
    {
        var spec = Spec(loss, data);
        Assert.Empty(Data(spec));
    }

    [Theory]
    [InlineData("name: MultipleNegativesRankingLoss", "single.jsonl", "2 or more text column(s)", "(text), no label")]
    [InlineData("name: CoSENTLoss", "pairs.jsonl", "needs a label column", "inputs (anchor, positive), no label")]
    [InlineData("name: CoSENTLoss", "scored_triplets.jsonl", "(2 text column(s))", "(a, b, c), label 'score' (float)")]
    [InlineData("name: MSELoss", "scored.jsonl", "expects labels of kind FloatVector", "label 'score' (float)")]
    [InlineData("name: SoftmaxLoss\nparams:\n  num_labels: 3", "scored.jsonl", "of kind Integer", "(float)")]
    [InlineData("name: TripletLoss", "pairs.jsonl", "(3 text column(s))", "inputs (anchor, positive)")]
    [InlineData("name: AnglELoss", "pairs.jsonl", "needs a float score column", "no label")]
    public void A_loss_that_does_not_fit_the_data_shape_is_reported(string loss, string data, string problem,
        string shape)
    {
        var spec = Spec(loss, data, training: "batch_sampler: no_duplicates");
        var error = Single(Data(spec), "data.train.columns");
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
        Assert.Contains(shape, error.Problem, StringComparison.Ordinal);
        Assert.EndsWith(":6", error.Location, StringComparison.Ordinal);   // the first line inside data.train
        Assert.False(string.IsNullOrWhiteSpace(error.Fix));
    }

    [Fact]
    public void A_label_column_that_mixes_kinds_is_refused_when_the_data_loads()
    {
        var spec = Spec("name: CoSENTLoss", "mixed.jsonl");
        // A spec finding, so `st-train validate` lists it instead of crashing with a stack trace.
        var error = Assert.Throws<SpecException>(() => PreparedDataset.Load(spec.Train[0], spec.Resolve));
        Assert.Equal("data.train.path", error.Field);
        Assert.EndsWith("mixed.jsonl:2", error.Location, StringComparison.Ordinal);
        Assert.Contains("'label'", error.Problem, StringComparison.Ordinal);
        Assert.Contains("same type", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Metric_keys_follow_the_spec_similarity_function()
    {
        const string best = "batch_sampler: no_duplicates\nmetric_for_best_model: dev_dot_ndcg@10";
        Assert.Empty(Static(Spec(training: best, model: "  similarity_fn_name: dot\n")));
        Assert.Contains("eval_dev_cosine_ndcg@10", Single(Static(Spec(training: best)),
            "training.metric_for_best_model").Fix, StringComparison.Ordinal);
        var unknown = Single(Static(Spec(model: "  similarity_fn_name: jaccard\n")), "model.similarity_fn_name");
        Assert.Contains("dot", unknown.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_best_model_metric_that_no_evaluator_produces_lists_the_produced_keys()
    {
        var spec = Spec(training: "batch_sampler: no_duplicates\nmetric_for_best_model: dev_cosine_ndcg@11");
        var error = Single(Static(spec), "training.metric_for_best_model");
        Assert.Contains("'dev_cosine_ndcg@11' is not produced", error.Problem, StringComparison.Ordinal);
        Assert.Contains("eval_dev_cosine_ndcg@10", error.Fix, StringComparison.Ordinal);
        Assert.Contains("eval_dev_cosine_mrr@10", error.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dev_cosine_ndcg@10")]
    [InlineData("eval_dev_cosine_ndcg@10")]
    [InlineData("eval_dev_cosine_accuracy@1")]
    public void A_produced_metric_passes_with_or_without_the_eval_prefix(string metric)
    {
        var spec = Spec(training: $"batch_sampler: no_duplicates\nmetric_for_best_model: {metric}");
        Assert.Empty(Static(spec));
    }

    [Fact]
    public void Eval_loss_is_produced_only_with_an_eval_dataset()
    {
        var without = Spec(training: "batch_sampler: no_duplicates\nmetric_for_best_model: eval_loss");
        Assert.Contains("eval_dev_cosine_ndcg@10", Single(Static(without), "training.metric_for_best_model").Fix,
            StringComparison.Ordinal);
        var with = Spec(training: "batch_sampler: no_duplicates\nmetric_for_best_model: eval_loss",
            extra: "verdict_metric: eval_loss");
        // data.eval is added by rewriting the data section of the same spec.
        string yaml = File.ReadAllText(with.SourcePath).Replace("    path: pairs.jsonl\n",
            "    path: pairs.jsonl\n  eval:\n    path: pairs.jsonl\n", StringComparison.Ordinal);
        File.WriteAllText(with.SourcePath, yaml);
        Assert.Empty(Static(RunSpec.Load(with.SourcePath)));
    }

    [Fact]
    public void A_verdict_metric_that_no_evaluator_produces_is_reported()
    {
        var spec = Spec(extra: "verdict_metric: dev_spearman_cosine");
        var error = Single(Static(spec), "verdict_metric");
        Assert.Contains("eval_dev_cosine_ndcg@10", error.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5", "10", false)]
    [InlineData("5", "5", false)]
    [InlineData("4", "6", true)]
    [InlineData("10", "5", true)]
    [InlineData("0.1", "0.3", false)]
    [InlineData("0.25", "0.5", false)]
    [InlineData("0.1", "0.25", true)]
    [InlineData("0.25", "4", true)]   // one fraction, one count: no multiple relation holds for every run length
    public void Save_steps_must_be_a_multiple_of_eval_steps_with_load_best_model_at_end(string eval, string save,
        bool reported)
    {
        var spec = Spec(training: $"batch_sampler: no_duplicates\neval_strategy: steps\neval_steps: {eval}\n" +
                                  $"save_steps: {save}\nload_best_model_at_end: true");
        var errors = Static(spec).Where(e => e.Field == "training.save_steps").ToList();
        if (!reported)
        {
            Assert.Empty(errors);
            return;
        }
        var error = Assert.Single(errors);
        Assert.Contains("not a multiple of eval_steps", error.Problem, StringComparison.Ordinal);
        Assert.Contains($"save_steps: {eval}", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_load_best_model_at_end_save_steps_are_free()
    {
        var spec = Spec(training: "batch_sampler: no_duplicates\neval_strategy: steps\neval_steps: 4\nsave_steps: 6");
        Assert.Empty(Static(spec));
    }

    [Fact]
    public void Load_best_model_at_end_needs_matching_strategies()
    {
        var noEval = Spec(training: "batch_sampler: no_duplicates\nload_best_model_at_end: true");
        Assert.Contains("eval_strategy", Single(Static(noEval), "training.eval_strategy").Fix,
            StringComparison.Ordinal);
        var mismatch = Spec(training: "batch_sampler: no_duplicates\neval_strategy: epoch\nsave_strategy: steps\n" +
                                      "load_best_model_at_end: true");
        Assert.Contains("save_strategy: epoch", Single(Static(mismatch), "training.save_strategy").Fix,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MultipleNegativesRankingLoss")]
    [InlineData("CachedMultipleNegativesRankingLoss")]
    [InlineData("MultipleNegativesSymmetricRankingLoss")]
    [InlineData("CachedMultipleNegativesSymmetricRankingLoss")]
    public void In_batch_negative_losses_need_the_no_duplicates_sampler(string loss)
    {
        var spec = Spec($"name: {loss}", training: "batch_sampler: batch_sampler");
        var error = Single(Static(spec), "training.batch_sampler");
        Assert.Contains(loss, error.Problem, StringComparison.Ordinal);
        Assert.Contains("no_duplicates", error.Fix, StringComparison.Ordinal);
        Assert.Empty(Static(Spec($"name: {loss}", training: "batch_sampler: no_duplicates")));
    }

    [Fact]
    public void The_inner_loss_of_a_wrapper_still_needs_no_duplicates()
    {
        var spec = Spec("name: MultipleNegativesRankingLoss\nwrapper:\n  name: MatryoshkaLoss\n  params:\n" +
                        "    matryoshka_dims: [384, 128]", training: "seed: 1");
        Single(Static(spec), "training.batch_sampler");
    }

    [Fact]
    public void Bf16_and_fp16_together_are_refused()
    {
        var spec = Spec("name: MultipleNegativesRankingLoss", training: "batch_sampler: no_duplicates\nbf16: true\nfp16: true");
        var error = Single(Static(spec), "training.fp16");
        Assert.Contains("remove fp16", error.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CachedMultipleNegativesRankingLoss")]
    [InlineData("CachedMultipleNegativesSymmetricRankingLoss")]
    public void Cached_losses_refuse_gradient_checkpointing(string loss)
    {
        var spec = Spec($"name: {loss}", training: "batch_sampler: no_duplicates\ngradient_checkpointing: true");
        var error = Single(Static(spec), "training.gradient_checkpointing");
        Assert.Contains("gradient_checkpointing: false", error.Fix, StringComparison.Ordinal);
        Assert.Empty(Static(Spec("name: MultipleNegativesRankingLoss",
            training: "batch_sampler: no_duplicates\ngradient_checkpointing: true")));
    }

    [Fact]
    public void An_unknown_loss_lists_the_registered_losses()
    {
        var error = Single(Static(Spec("name: MultipleNegativeRankingLoss")), "loss.name");
        Assert.Contains("'MultipleNegativeRankingLoss' is not a registered loss", error.Problem,
            StringComparison.Ordinal);
        foreach (string name in new[] { "MultipleNegativesRankingLoss", "CoSENTLoss", "MatryoshkaLoss", "TripletLoss" })
            Assert.Contains(name, error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_evaluator_lists_the_registered_evaluators()
    {
        var spec = Spec(evaluators: "evaluators:\n  - type: InformationRetrievalEvaluater\n    name: dev");
        var error = Single(Static(spec), "evaluators[0].type");
        Assert.Contains("InformationRetrievalEvaluater", error.Problem, StringComparison.Ordinal);
        string[] evaluators = ["InformationRetrievalEvaluator", "EmbeddingSimilarityEvaluator", "TripletEvaluator"];
        foreach (string name in evaluators)
            Assert.Contains(name, error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrapper_named_as_the_main_loss_is_reported()
    {
        var spec = Spec("name: MatryoshkaLoss\nparams:\n  matryoshka_dims: [384, 128]");
        var error = Single(Static(spec), "loss.name");
        Assert.Contains("MatryoshkaLoss wraps another loss", error.Problem, StringComparison.Ordinal);
        Assert.Contains("loss.wrapper", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_loss_named_as_a_wrapper_is_reported()
    {
        var spec = Spec("name: MultipleNegativesRankingLoss\nwrapper:\n  name: CoSENTLoss");
        var error = Single(Static(spec), "loss.wrapper.name");
        Assert.Contains("is not a wrapper loss", error.Problem, StringComparison.Ordinal);
        Assert.Contains("MatryoshkaLoss", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_wrapper_passes()
    {
        var spec = Spec("name: MultipleNegativesRankingLoss\nwrapper:\n  name: MatryoshkaLoss\n  params:\n" +
                        "    matryoshka_dims: [384, 128]");
        Assert.Empty(Static(spec));
    }

    [Theory]
    [InlineData("matryoshka_dim: [384]", "unknown parameter 'matryoshka_dim'")]
    [InlineData("n_dims_per_step: 1", "parameter 'matryoshka_dims' is required")]
    public void The_wrapper_parameters_are_checked_before_any_model_loads(string parameters, string problem)
    {
        var spec = Spec("name: MultipleNegativesRankingLoss\nwrapper:\n  name: MatryoshkaLoss\n  params:\n" +
                        $"    {parameters}");
        var findings = Static(spec).Where(e => e.Field == "loss.wrapper.params").ToList();
        Assert.Contains(findings, e => e.Problem.Contains(problem, StringComparison.Ordinal));
        Assert.Equal(findings.Count, Static(spec).Count);
    }

    [Fact]
    public void Bad_loss_parameters_are_reported()
    {
        var spec = Spec("name: MultipleNegativesRankingLoss\nparams:\n  scale: 20\n  temperature: 0.05");
        var error = Single(Static(spec), "loss.params");
        Assert.Contains("unknown parameter 'temperature'", error.Problem, StringComparison.Ordinal);
        Assert.Contains("remove it", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluator_data_roles_and_parameters_are_checked_before_any_model_loads()
    {
        var missingRole = Spec(evaluators: "evaluators:\n  - type: InformationRetrievalEvaluator\n    name: dev\n" +
                                           "    data:\n      queries: q.jsonl\n      corpus: c.jsonl");
        Assert.Contains("qrels", Single(Static(missingRole), "evaluators[0].data.qrels").Fix, StringComparison.Ordinal);

        var unknownParameter = Spec(evaluators: IrEvaluator + "\n    params:\n      ndcg_at_kk: [5]");
        var error = Single(Static(unknownParameter), "evaluators[0].params.ndcg_at_kk");
        Assert.Contains("ndcg_at_k", error.Fix, StringComparison.Ordinal);

        var badValue = Spec(evaluators: IrEvaluator + "\n    params:\n      ndcg_at_k: [five]");
        Assert.Contains(Static(badValue), e => e.Field.StartsWith("evaluators[0]", StringComparison.Ordinal));
    }

    [Fact]
    public void Group_by_label_needs_an_even_batch_size()
    {
        var spec = Spec("name: CoSENTLoss", "classes.jsonl",
            training: "batch_sampler: group_by_label\nper_device_train_batch_size: 7");
        var error = Single(Static(spec), "training.per_device_train_batch_size");
        Assert.Contains("per_device_train_batch_size: 8", error.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cosine", "num_cycle: 2", "num_cycles")]
    [InlineData("linear", "num_cycles: 2", "takes no lr_scheduler_kwargs")]
    [InlineData("polynomial", "lr_end: 1e-3", "learning_rate")]
    public void Scheduler_arguments_are_checked(string scheduler, string kwargs, string fix)
    {
        var spec = Spec(training: "batch_sampler: no_duplicates\nlearning_rate: 1e-4\n" +
                                  $"lr_scheduler_type: {scheduler}\nlr_scheduler_kwargs:\n  {kwargs}");
        var error = Single(Static(spec), "training.lr_scheduler_kwargs");
        Assert.Contains(fix, error.Fix + error.Problem, StringComparison.Ordinal);
        Assert.Empty(Static(Spec(training: "batch_sampler: no_duplicates\nlr_scheduler_type: polynomial\n" +
                                           "lr_scheduler_kwargs:\n  lr_end: 1e-7\n  power: 2")));
    }

    [Fact]
    public void Several_problems_are_reported_together()
    {
        var spec = Spec("name: CachedMultipleNegativesRankingLoss",
            training: "gradient_checkpointing: true\nlearning_rate: 5\nmetric_for_best_model: nope");
        var fields = Static(spec).Select(e => e.Field).ToList();
        Assert.Contains("training.batch_sampler", fields);
        Assert.Contains("training.gradient_checkpointing", fields);
        Assert.Contains("training.learning_rate", fields);
        Assert.Contains("training.metric_for_best_model", fields);
    }

    [Fact]
    public void A_per_dataset_loss_must_name_a_training_dataset()
    {
        var spec = Spec(extra: "losses:\n  nli:\n    name: CoSENTLoss");
        var error = Single(Static(spec), "losses.nli");
        Assert.Contains("train", error.Fix, StringComparison.Ordinal);
    }

    /// <summary>The same consistent spec text, written at <paramref name="relative"/> under the root.</summary>
    private RunSpec SpecAt(string relative, string runName)
    {
        string path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string pairs = Path.Combine(root, "pairs.jsonl");
        File.WriteAllText(path, $"run_name: {runName}\nmodel:\n  id: some-model\ndata:\n  train:\n    path: {pairs}\n" +
                                "loss:\n  name: MultipleNegativesRankingLoss\n" + IrEvaluator +
                                "\ntraining:\n  batch_sampler: no_duplicates\n");
        return RunSpec.Load(path) with { WorkspaceRoot = root };
    }

    [Fact]
    public void A_spec_in_a_run_folder_must_carry_that_folders_run_name()
    {
        var error = Single(Static(SpecAt("runs/bad-runname/spec.yaml", "other-name")), "run_name");

        Assert.Contains("'other-name'", error.Problem, StringComparison.Ordinal);
        Assert.Contains("runs/bad-runname/spec.yaml", error.Problem, StringComparison.Ordinal);
        Assert.Contains("runs/other-name/", error.Problem, StringComparison.Ordinal);
        Assert.Contains("set run_name: bad-runname", error.Fix, StringComparison.Ordinal);
        Assert.Contains("runs/other-name/spec.yaml", error.Fix, StringComparison.Ordinal);
        Assert.Empty(Static(SpecAt("runs/same-name/spec.yaml", "same-name")));
    }

    [Theory]
    [InlineData("experiments/spec.yaml")]           // outside runs/: any run_name
    [InlineData("runs/spec.yaml")]                  // runs/ itself is not a run folder
    [InlineData("runs/bad-runname/nested/spec.yaml")]
    [InlineData("runs/bad-runname/variant.yaml")]    // only the run folder's spec.yaml names the run
    [InlineData("elsewhere/runs/bad-runname/spec.yaml")] // a runs/ folder that is not the workspace's
    public void A_spec_anywhere_else_may_use_any_run_name(string relative)
    {
        Assert.DoesNotContain(Static(SpecAt(relative, "other-name")), e => e.Field == "run_name");
    }

    [Fact]
    public void A_mismatched_run_name_is_refused_before_anything_is_written_to_the_other_run()
    {
        var spec = SpecAt("runs/bad-runname/spec.yaml", "other-name");
        var workspace = new RunWorkspace(root);

        var error = Assert.Throws<SpecException>(() => RunExecutor.Execute(spec.SourcePath, smoke: true, workspace));

        Assert.Equal("run_name", error.Field);
        Assert.False(Directory.Exists(workspace.RunDirectory("other-name")));
        Assert.False(File.Exists(workspace.LogPath("other-name")));
    }
}
