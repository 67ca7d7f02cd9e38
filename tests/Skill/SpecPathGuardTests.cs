using StTrain.Skill;
using StTrain.Skill.Specs;
using StTrain.Tests.Mcp;
using Xunit;

namespace StTrain.Tests.Skill;

/// <summary>
/// The paths of a spec, checked by where they really lead (real symbolic links on disk), and the scaffold's
/// missing-file warnings, which follow the trainer's resolution rule (beside the spec, then the workspace root).
/// </summary>
public sealed class SpecPathGuardTests : IDisposable
{
    private readonly string _workspace = RepositoryPaths.NewWorkspace();
    private readonly string _outside = RepositoryPaths.NewWorkspace();

    public SpecPathGuardTests()
    {
        Directory.CreateDirectory(In("tiny"));
        File.WriteAllText(In("tiny/pairs.jsonl"), "{\"anchor\": \"a\", \"positive\": \"b\"}\n");
        File.WriteAllText(Path.Combine(_outside, "pairs.jsonl"), "{\"anchor\": \"a\", \"positive\": \"b\"}\n");
        Directory.CreateDirectory(Path.Combine(_outside, "model"));
        Directory.CreateDirectory(Path.Combine(_outside, "checkpoint-2"));
        Directory.CreateSymbolicLink(In("tiny/outlink"), _outside);
        Directory.CreateSymbolicLink(In("tiny/inlink"), In("tiny"));
        Directory.CreateDirectory(In("runs/e4"));
    }

    public void Dispose()
    {
        Directory.Delete(_workspace, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }

    private string In(string relative) => Path.Combine(_workspace, relative);

    private string SpecPath => In("runs/e4/spec.yaml");

    private static string Spec(string train = "tiny/pairs.jsonl",
        string model = "sentence-transformers/all-MiniLM-L6-v2", string loss = "name: MultipleNegativesRankingLoss",
        string corpus = "tiny/pairs.jsonl", string training = "")
        => $"""
            run_name: e4
            model:
              id: {model}
            data:
              train:
                path: {train}
            loss:
              {loss}
            evaluators:
              - type: InformationRetrievalEvaluator
                name: dev
                data:
                  queries: tiny/pairs.jsonl
                  corpus: {corpus}
                  qrels: tiny/pairs.jsonl
            training:
              batch_sampler: no_duplicates
              {training}
            """;

    private IReadOnlyList<string> Escapes(string yaml) =>
        SpecPathGuard.Escapes(yaml, SpecPath, new WorkspaceBoundary(_workspace));

    [Fact]
    public void Paths_inside_the_workspace_also_through_an_inside_link_pass()
    {
        Assert.Empty(Escapes(Spec()));
        Assert.Empty(Escapes(Spec(train: "tiny/inlink/pairs.jsonl", corpus: "../../tiny/inlink/pairs.jsonl",
            training: "output_dir: tiny/inlink/out")));
    }

    [Theory]
    [InlineData("data.train.path", "tiny/outlink/pairs.jsonl")]
    [InlineData("data.train.path", "../../tiny/outlink/pairs.jsonl")]
    [InlineData("evaluators.0.data.corpus", "tiny/outlink/pairs.jsonl")]
    [InlineData("training.output_dir", "tiny/outlink/out")]
    [InlineData("training.resume_from_checkpoint", "tiny/outlink/checkpoint-2")]
    [InlineData("model.id", "tiny/outlink/model")]
    [InlineData("model.id", "/tmp")]
    [InlineData("loss.params.guide", "tiny/outlink/model")]
    public void A_path_through_a_link_that_leads_out_is_named_with_where_it_really_points(string field, string path)
    {
        var yaml = field switch
        {
            "data.train.path" => Spec(train: path),
            "evaluators.0.data.corpus" => Spec(corpus: path),
            "training.output_dir" => Spec(training: $"output_dir: {path}"),
            "training.resume_from_checkpoint" => Spec(training: $"resume_from_checkpoint: {path}"),
            "model.id" => Spec(model: path),
            _ => Spec(loss: $"name: GISTEmbedLoss\n  params:\n    guide: {path}"),
        };

        var problem = Assert.Single(Escapes(yaml));

        var named = field.Replace("evaluators.0", "evaluators[0]", StringComparison.Ordinal); // the trainer's naming
        Assert.StartsWith($"{named} '{path}' leads outside the workspace", problem, StringComparison.Ordinal);
        if (path.Contains("outlink", StringComparison.Ordinal))
        {
            Assert.Contains($"really points to {_outside}", problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_run_folder_that_is_a_link_out_of_the_workspace_is_refused()
    {
        Directory.CreateDirectory(In("runs"));
        Directory.CreateSymbolicLink(In("runs/symrun"), Path.Combine(_outside, "symrun"));
        var yaml = Spec().Replace("run_name: e4", "run_name: symrun", StringComparison.Ordinal);

        var problems = SpecPathGuard.Escapes(yaml, In("runs/e4/spec.yaml"), new WorkspaceBoundary(_workspace));
        Assert.Contains(problems, problem => problem.StartsWith("run_name 'symrun' leads outside the workspace",
            StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.StartsWith(
            "training.output_dir 'runs/symrun/output' leads outside the workspace", StringComparison.Ordinal));
    }

    [Fact]
    public void Scaffold_warnings_follow_the_trainers_resolution_beside_the_spec_then_from_the_workspace_root()
    {
        File.WriteAllText(In("runs/e4/beside.jsonl"), "{}\n");
        var spec = SpecDocument.Parse(Spec(train: "tiny/pairs.jsonl"), "spec.yaml");
        Assert.DoesNotContain(SpecChecks.Warnings(spec, In("runs/e4"), _workspace),
            warning => warning.Contains("does not exist", StringComparison.Ordinal));

        spec = SpecDocument.Parse(Spec(train: "beside.jsonl"), "spec.yaml");
        Assert.DoesNotContain(SpecChecks.Warnings(spec, In("runs/e4"), _workspace),
            warning => warning.Contains("does not exist", StringComparison.Ordinal));

        spec = SpecDocument.Parse(Spec(train: "tiny/missing.jsonl"), "spec.yaml");
        var warning = Assert.Single(SpecChecks.Warnings(spec, In("runs/e4"), _workspace),
            text => text.Contains("does not exist", StringComparison.Ordinal));
        Assert.StartsWith("'data.train.path' is tiny/missing.jsonl, which does not exist yet", warning,
            StringComparison.Ordinal);
        Assert.Contains(In("runs/e4/tiny/missing.jsonl"), warning, StringComparison.Ordinal);
        Assert.Contains(In("tiny/missing.jsonl"), warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_folder_inside_whose_files_link_out_is_refused_and_one_whose_links_stay_inside_passes()
    {
        Directory.CreateDirectory(In("models/mix"));
        File.WriteAllText(In("models/mix/config.json"), "{}");
        File.WriteAllText(Path.Combine(_outside, "model.safetensors"), "weights");
        Directory.CreateDirectory(In("models/inside"));
        File.CreateSymbolicLink(In("models/inside/config.json"), In("models/mix/config.json"));
        Assert.Empty(Escapes(Spec(model: "models/inside")));

        File.CreateSymbolicLink(In("models/mix/model.safetensors"), Path.Combine(_outside, "model.safetensors"));
        foreach (var (field, yaml) in new[]
                 {
                     ("model.id", Spec(model: "models/mix")),
                     ("loss.params.guide", Spec(loss: "name: GISTEmbedLoss\n  params:\n    guide: models/mix")),
                 })
        {
            var problem = Assert.Single(Escapes(yaml));
            Assert.StartsWith($"{field} 'models/mix' holds the symbolic link models/mix/model.safetensors -> "
                              + Path.Combine(_outside, "model.safetensors"), problem, StringComparison.Ordinal);
            Assert.Contains("Remove the symbolic link", problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void RequireInside_refuses_a_link_below_the_run_folder_or_an_outside_spec_path_and_passes_inside_links()
    {
        var runs = new StTrain.Skill.Runs.RunWorkspace(_workspace);
        File.WriteAllText(SpecPath, Spec());
        Directory.CreateDirectory(In("inside"));
        File.CreateSymbolicLink(In("runs/e4/data"), In("inside")); // inside: fine
        SpecPathGuard.RequireInside(runs, "e4");

        Directory.CreateDirectory(In("runs/e4/output"));
        File.CreateSymbolicLink(In("runs/e4/output/tensorboard"), Path.Combine(_outside, "tb"));
        var error = Assert.Throws<SkillException>(() => SpecPathGuard.RequireInside(runs, "e4"));
        Assert.StartsWith("Refused: run 'e4' reaches outside the workspace", error.Message, StringComparison.Ordinal);
        Assert.Single(error.Message.Split('\n'), line => line.StartsWith("- ", StringComparison.Ordinal));
        Assert.Contains($"- run_name 'e4' holds the symbolic link runs/e4/output/tensorboard -> "
                        + $"{Path.Combine(_outside, "tb")}, which leads outside the workspace", error.Message);
        Assert.Contains("Remove the symbolic link", error.Message, StringComparison.Ordinal);

        File.Delete(In("runs/e4/output/tensorboard"));
        File.WriteAllText(SpecPath, Spec(corpus: Path.Combine(_outside, "pairs.jsonl")));
        error = Assert.Throws<SkillException>(() => SpecPathGuard.RequireInside(runs, "e4"));
        Assert.Contains($"evaluators[0].data.corpus '{Path.Combine(_outside, "pairs.jsonl")}' leads outside",
            error.Message, StringComparison.Ordinal);
    }
}
