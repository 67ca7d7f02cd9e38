using StTrain.Core.Training.Spec;
using Xunit;

namespace StTrain.Tests.Training;

/// <summary>
/// Crafted run specs that must fail to parse, each with the field, the file:line, the problem and the fix.
/// </summary>
public sealed class RunSpecParsingTests
{
    private const string File = "runs/demo/spec.yaml";

    /// <summary>A valid spec; <paramref name="training"/> starts on line 11, inside the training section.</summary>
    private static string Spec(string training = "", string top = "run_name: demo", string hub = "") => $"""
        {top}
        model:
          id: sentence-transformers/all-MiniLM-L6-v2
        data:
          train:
            path: data/train.jsonl
        loss:
          name: MultipleNegativesRankingLoss
        training:
          batch_sampler: no_duplicates
        {Indent(training)}
        {hub}
        """;

    private static string Indent(string yaml) =>
        string.Join("\n", yaml.Split('\n').Select(l => l.Length == 0 ? l : "  " + l));

    private static SpecException Fails(string yaml) =>
        Assert.Throws<SpecException>(() => RunSpec.Parse(yaml, File));

    [Fact]
    public void The_base_spec_parses()
    {
        var spec = RunSpec.Parse(Spec("warmup_steps: 0.1\nlr_scheduler_type: cosine"), File);
        Assert.Equal("demo", spec.RunName);
        Assert.Equal(0.1, spec.Training.WarmupSteps);
        Assert.Equal("cosine", spec.Training.LrSchedulerType);
        Assert.Equal("no_duplicates", spec.Training.BatchSampler);
    }

    [Fact]
    public void A_tab_in_the_indentation_is_reported_at_its_own_line_with_the_fix()
    {
        // YamlDotNet marks the enclosing mapping (line 3 and line 1 here), not the line that holds the tab.
        var small = Fails("run_name: demo\nmodel:\n  id: m\n\tdata: 1\nloss:\n  name: x\n");
        Assert.Equal("spec", small.Field);
        Assert.Equal($"{File}:4", small.Location);
        Assert.Contains("tab", small.Problem, StringComparison.Ordinal);
        Assert.Contains("indent with spaces", small.Fix, StringComparison.Ordinal);

        string comments = string.Concat(Enumerable.Range(0, 8).Select(i => $"# note {i}\n"));
        var deep = Fails(Spec("max_steps: 1\n" + comments + "\tseed: 3"));
        Assert.Equal($"{File}:20", deep.Location);
    }

    [Fact]
    public void Warmup_ratio_is_refused_and_points_to_warmup_steps()
    {
        var error = Fails(Spec("warmup_ratio: 0.1"));
        Assert.Equal("training.warmup_ratio", error.Field);
        Assert.Equal($"{File}:11", error.Location);
        Assert.Contains("warmup_steps: 0.1", error.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("learning_rat: 1e-5", "training.learning_rat", "did you mean 'learning_rate'")]
    [InlineData("num_train_epoch: 2", "training.num_train_epoch", "did you mean 'num_train_epochs'")]
    [InlineData("eval_step: 10", "training.eval_step", "did you mean 'eval_steps'")]
    public void An_unknown_training_field_gets_a_did_you_mean(string line, string field, string hint)
    {
        var error = Fails(Spec(line));
        Assert.Equal(field, error.Field);
        Assert.Equal($"{File}:11", error.Location);
        Assert.Equal("is not a known field", error.Problem);
        Assert.Contains(hint, error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_top_level_field_gets_a_did_you_mean()
    {
        var error = Fails(Spec(top: "run_name: demo\nevaluator: []"));
        Assert.Equal("evaluator", error.Field);
        Assert.Equal($"{File}:2", error.Location);
        Assert.Contains("did you mean 'evaluators'", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_far_off_field_lists_the_known_fields_without_a_guess()
    {
        var error = Fails(Spec("zzzzzzzzzz: 1"));
        Assert.DoesNotContain("did you mean", error.Fix, StringComparison.Ordinal);
        Assert.Contains("learning_rate", error.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run_name: my run")]
    [InlineData("run_name: ../escape")]
    [InlineData("run_name: runs/x")]
    [InlineData("run_name: -dash-first")]
    public void An_invalid_run_name_is_refused(string line)
    {
        var error = Fails(Spec(top: line));
        Assert.Equal("run_name", error.Field);
        Assert.Equal($"{File}:1", error.Location);
        Assert.Contains("not a valid run name", error.Problem, StringComparison.Ordinal);
        Assert.Contains("letters, digits", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_name_of_101_characters_is_refused_and_100_is_accepted()
    {
        Fails(Spec(top: "run_name: " + new string('a', 101)));
        Assert.Equal(100, RunSpec.Parse(Spec(top: "run_name: " + new string('a', 100)), File).RunName.Length);
    }

    [Fact]
    public void A_hub_token_in_the_spec_is_refused_without_echoing_it()
    {
        const string secret = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
        var error = Fails(Spec(hub: $"hub:\n  push: true\n  repo_id: me/model\n  token: {secret}"));
        Assert.Equal("hub.token", error.Field);
        Assert.Contains("token_env", error.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("per_device_train_batch_size: x", "training.per_device_train_batch_size", "'x' is not an integer")]
    [InlineData("learning_rate: fast", "training.learning_rate", "'fast' is not a number")]
    [InlineData("load_best_model_at_end: maybe", "training.load_best_model_at_end", "'maybe' is not true or false")]
    [InlineData("max_steps: 1.5", "training.max_steps", "'1.5' is not an integer")]
    [InlineData("seed: [1, 2]", "training.seed", "expected a single value")]
    [InlineData("eval_steps: 2.5", "training.eval_steps", "neither a whole number of steps nor a fraction")]
    [InlineData("save_steps: -3", "training.save_steps", "neither a whole number of steps nor a fraction")]
    [InlineData("warmup_steps: 1.5", "training.warmup_steps", "neither a step count nor a fraction")]
    [InlineData("warmup_steps: -1", "training.warmup_steps", "is negative")]
    [InlineData("gradient_accumulation_steps: 0", "training.gradient_accumulation_steps", "0 is not positive")]
    public void A_bad_type_or_value_names_the_field_and_its_line(string line, string field, string problem)
    {
        var error = Fails(Spec("logging_first_step: true\n" + line));
        Assert.Equal(field, error.Field);
        Assert.Equal($"{File}:12", error.Location);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"{File}:12: {field}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fix: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lr_scheduler_type: cosine_annealing", "training.lr_scheduler_type", "cosine_with_restarts")]
    [InlineData("batch_sampler: nodups", "training.batch_sampler", "no_duplicates")]
    [InlineData("eval_strategy: sometimes", "training.eval_strategy", "steps")]
    [InlineData("save_strategy: always", "training.save_strategy", "best")]
    [InlineData("multi_dataset_batch_sampler: random", "training.multi_dataset_batch_sampler", "round_robin")]
    public void A_bad_enum_lists_the_allowed_values(string line, string field, string allowed)
    {
        // The base spec already sets batch_sampler; a second key would be a YAML error, so drop it here.
        string yaml = Spec(line).Replace("  batch_sampler: no_duplicates\n", "  seed: 1\n", StringComparison.Ordinal);
        var error = Fails(yaml);
        Assert.Equal(field, error.Field);
        Assert.Equal($"{File}:11", error.Location);
        Assert.Contains("is not allowed", error.Problem, StringComparison.Ordinal);
        Assert.Contains(allowed, error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_model_type_lists_the_model_types()
    {
        var error = Fails(Spec(top: "run_name: demo\nmodel_type: BiEncoder"));
        Assert.Equal("model_type", error.Field);
        Assert.Equal($"{File}:2", error.Location);
        Assert.Contains("SentenceTransformer, CrossEncoder, SparseEncoder", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_section_is_named()
    {
        string yaml = Spec().Replace("loss:\n  name: MultipleNegativesRankingLoss\n", "", StringComparison.Ordinal);
        var error = Fails(yaml);
        Assert.Equal("loss", error.Field);
        Assert.Contains("is missing", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_yaml_syntax_error_names_its_line()
    {
        var error = Fails("run_name: demo\nmodel:\n  id: x\n   bad: [unclosed\n");
        Assert.Equal("spec", error.Field);
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(File)}:[0-9]+$", error.Location);
    }
}
