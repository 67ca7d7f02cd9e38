using System.Text.Json;
using StTrain.Skill;
using StTrain.Skill.Specs;
using Xunit;

namespace StTrain.Tests.Skill;

public sealed class SpecScaffolderTests
{
    private const string Template = """
        # Header comment that must survive.
        run_name: my-run
        model:
          id: base-model   # why this base
          max_seq_length: 128
        evaluators:
          - type: TripletEvaluator
            name: dev      # keep me
            data:
              path: dev.jsonl
          - type: EmbeddingSimilarityEvaluator
            name: sts
        training:
          learning_rate: 2.0e-5
          prompts: {}
        hub:
          push: false
        """;

    private static Dictionary<string, JsonElement> Overrides(object values) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(JsonSerializer.Serialize(values))!;

    private static ScaffoldedSpec Scaffold(object? overrides = null) => SpecScaffolder.Scaffold(
        Template, "test", "run-7", overrides is null ? null : Overrides(overrides));

    [Fact]
    public void Sets_run_name_and_keeps_every_comment()
    {
        var spec = Scaffold();

        Assert.Equal("run-7", spec.Document.GetScalar("run_name"));
        Assert.Contains("# Header comment that must survive.", spec.Text);
        Assert.Contains("# why this base", spec.Text);
        Assert.Empty(spec.Warnings);
    }

    [Fact]
    public void Replaces_nested_values_in_place_with_their_inline_comment()
    {
        var spec = Scaffold(
            new Dictionary<string, object> { ["model.id"] = "other/model", ["training.learning_rate"] = 5e-5 });

        Assert.Equal("other/model", spec.Document.GetScalar("model.id"));
        Assert.Equal("5E-05", spec.Document.GetScalar("training.learning_rate"), ignoreCase: true);
        Assert.Contains("  id: other/model  # why this base", spec.Text);
        Assert.Empty(spec.Warnings);
    }

    [Fact]
    public void Edits_keys_inside_list_items_by_position()
    {
        var spec = Scaffold(
            new Dictionary<string, object> { ["evaluators.0.name"] = "renamed", ["evaluators.1.name"] = "b" });

        Assert.Equal("renamed", spec.Document.GetScalar("evaluators.0.name"));
        Assert.Equal("b", spec.Document.GetScalar("evaluators.1.name"));
        Assert.Equal("dev.jsonl", spec.Document.GetScalar("evaluators.0.data.path"));
        Assert.Contains("# keep me", spec.Text);
        Assert.Empty(spec.Warnings);
    }

    [Fact]
    public void Appends_missing_keys_and_sections()
    {
        var spec = Scaffold(new Dictionary<string, object>
        {
            ["training.max_steps"] = 50, ["data.train.path"] = "train.jsonl", ["evaluators.0.params.batch_size"] = 8,
        });

        Assert.Equal("50", spec.Document.GetScalar("training.max_steps"));
        Assert.Equal("train.jsonl", spec.Document.GetScalar("data.train.path"));
        Assert.Equal("8", spec.Document.GetScalar("evaluators.0.params.batch_size"));
        Assert.Contains("# Header comment that must survive.", spec.Text);
    }

    [Fact]
    public void Lists_and_maps_are_written_as_flow_values_that_read_back()
    {
        var spec = Scaffold(new Dictionary<string, object>
        {
            ["model.prompts"] = new Dictionary<string, string> { ["query"] = "query: " },
            ["data.train.columns"] = new[] { "anchor", "positive" },
        });

        var document = spec.Document;
        Assert.Equal("query: ", document.GetScalar("model.prompts.query"));
        Assert.True(SpecDocument.SameValue(document.Get(SpecPath.Parse("data.train.columns")),
            JsonSerializer.SerializeToElement(new[] { "anchor", "positive" })));
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("true")]
    [InlineData("1.0")]
    [InlineData("null")]
    [InlineData("a: b")]
    [InlineData("# not a comment")]
    [InlineData("quote \" and 'apostrophe'")]
    public void Strings_that_look_like_other_yaml_stay_strings(string value)
    {
        var spec = Scaffold(new Dictionary<string, object> { ["hub.repo_id"] = value });

        Assert.Equal(value, spec.Document.GetScalar("hub.repo_id"));
    }

    [Fact]
    public void A_path_through_a_flow_mapping_falls_back_to_a_tree_edit_and_says_comments_were_dropped()
    {
        var spec = Scaffold(new Dictionary<string, object> { ["training.prompts.query"] = "q: " });

        Assert.Equal("q: ", spec.Document.GetScalar("training.prompts.query"));
        Assert.Contains(spec.Warnings, warning => warning.Contains("comments were dropped"));
        Assert.Equal("run-7", spec.Document.GetScalar("run_name"));
    }

    [Theory]
    [InlineData("training..lr")]
    [InlineData("0.name")]
    [InlineData("training.learning rate")]
    [InlineData("")]
    public void Malformed_override_paths_are_refused_with_the_rule(string path)
    {
        var error = Assert.Throws<SkillException>(() => Scaffold(new Dictionary<string, object> { [path] = 1 }));

        Assert.Contains("Override path", error.Message);
    }

    [Fact]
    public void A_run_name_override_that_disagrees_with_the_argument_is_refused()
    {
        Assert.Throws<SkillException>(() => Scaffold(new Dictionary<string, object> { ["run_name"] = "other" }));
    }
}
