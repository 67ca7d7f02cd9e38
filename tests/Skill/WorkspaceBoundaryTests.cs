using StTrain.Skill;
using StTrain.Tests.Mcp;
using Xunit;

namespace StTrain.Tests.Skill;

/// <summary>
/// Real symbolic links on disk: a path is inside the workspace by where it really leads, for paths that exist and
/// for paths that would be created.
/// </summary>
public sealed class WorkspaceBoundaryTests : IDisposable
{
    private readonly string _workspace = RepositoryPaths.NewWorkspace();
    private readonly string _outside = RepositoryPaths.NewWorkspace();

    public WorkspaceBoundaryTests()
    {
        Directory.CreateDirectory(Path.Combine(_workspace, "data"));
        File.WriteAllText(Path.Combine(_workspace, "data", "pairs.jsonl"), "{}\n");
        File.WriteAllText(Path.Combine(_outside, "secret.jsonl"), "{}\n");
    }

    public void Dispose()
    {
        Directory.Delete(_workspace, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }

    private WorkspaceBoundary Boundary => new(_workspace);

    private string In(string relative) => Path.Combine(_workspace, relative);

    [Fact]
    public void A_link_to_a_folder_outside_leads_out_also_for_files_that_do_not_exist_yet()
    {
        Directory.CreateSymbolicLink(In("outlink"), _outside);

        Assert.Equal(Path.Combine(_outside, "secret.jsonl"), WorkspaceBoundary.RealPath(In("outlink/secret.jsonl")));
        Assert.Equal(Path.Combine(_outside, "new", "mined.jsonl"),
            WorkspaceBoundary.RealPath(In("outlink/new/mined.jsonl")));
        Assert.False(Boundary.Contains(In("outlink/secret.jsonl")));
        Assert.False(Boundary.Contains(In("outlink/new/mined.jsonl")));
        Assert.True(Boundary.Contains(In("data/new/mined.jsonl")));
    }

    [Fact]
    public void Relative_chained_and_dangling_links_are_followed_to_where_they_lead()
    {
        // runs -> ../<outside name> (relative), a -> runs (chained), dangling -> <outside>/later (not there yet).
        File.CreateSymbolicLink(In("relative"), Path.Combine("..", Path.GetFileName(_outside)));
        File.CreateSymbolicLink(In("chained"), "relative");
        File.CreateSymbolicLink(In("dangling"), Path.Combine(_outside, "later"));
        File.CreateSymbolicLink(In("data/file-link.jsonl"), Path.Combine(_outside, "secret.jsonl"));

        Assert.Equal(Path.Combine(_outside, "x.jsonl"), WorkspaceBoundary.RealPath(In("chained/x.jsonl")));
        Assert.Equal(Path.Combine(_outside, "later", "y"), WorkspaceBoundary.RealPath(In("dangling/y")));
        Assert.Equal(Path.Combine(_outside, "later"), WorkspaceBoundary.RealPath(In("dangling")));
        foreach (var path in new[] { "relative/x", "chained/x", "dangling", "data/file-link.jsonl" })
        {
            Assert.False(Boundary.Contains(In(path)), path);
        }
    }

    [Fact]
    public void Links_that_stay_inside_the_workspace_are_inside()
    {
        Directory.CreateSymbolicLink(In("alias"), In("data"));
        File.CreateSymbolicLink(In("data/again.jsonl"), "pairs.jsonl");
        Directory.CreateDirectory(In("deep/er"));
        File.CreateSymbolicLink(In("deep/er/up"), Path.Combine("..", "..", "data")); // '..' inside a link target

        Assert.Equal(In("data/pairs.jsonl"), WorkspaceBoundary.RealPath(In("alias/again.jsonl")));
        Assert.Equal(In("data/pairs.jsonl"), WorkspaceBoundary.RealPath(In("deep/er/up/pairs.jsonl")));
        Assert.Null(Boundary.Problem("dataset", "alias/again.jsonl", In("alias/again.jsonl")));
        Assert.Null(Boundary.Problem("output_path", "deep/er/up/new.jsonl", In("deep/er/up/new.jsonl")));
    }

    [Fact]
    public void A_workspace_reached_through_a_link_accepts_its_own_paths_by_either_name()
    {
        var parent = RepositoryPaths.NewWorkspace();
        try
        {
            var linkedRoot = Path.Combine(parent, "ws-link");
            Directory.CreateSymbolicLink(linkedRoot, _workspace);
            var boundary = new WorkspaceBoundary(linkedRoot);

            Assert.Equal(_workspace, boundary.RealRoot);
            Assert.True(boundary.Contains(Path.Combine(linkedRoot, "data", "pairs.jsonl")));
            Assert.True(boundary.Contains(In("data/pairs.jsonl")));
            Assert.False(boundary.Contains(Path.Combine(_outside, "secret.jsonl")));
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public void The_refusal_names_the_argument_the_given_path_where_it_really_points_and_the_fix()
    {
        Directory.CreateSymbolicLink(In("outlink"), _outside);

        var error = Assert.Throws<SkillException>(() => Boundary.RequireRelative("output_path", "outlink/m.jsonl"));

        Assert.Contains("output_path 'outlink/m.jsonl' leads outside the workspace", error.Message);
        Assert.Contains(Path.Combine(_outside, "m.jsonl"), error.Message);
        Assert.Contains("symbolic link", error.Message);
        Assert.Contains("relative to the workspace", error.Message);
        Assert.Contains("outside the workspace",
            Assert.Throws<SkillException>(() => Boundary.RequireRelative("dataset", "../x.jsonl")).Message);
        Assert.Contains("empty", Assert.Throws<SkillException>(() => Boundary.RequireRelative("dataset", " ")).Message);
    }

    [Fact]
    public void A_link_loop_is_reported_not_followed_forever()
    {
        File.CreateSymbolicLink(In("loop-a"), "loop-b");
        File.CreateSymbolicLink(In("loop-b"), "loop-a");

        Assert.Throws<IOException>(() => WorkspaceBoundary.RealPath(In("loop-a/x")));
        Assert.False(Boundary.Contains(In("loop-a/x")));
        Assert.Contains("symbolic links", Boundary.Problem("dataset", "loop-a/x", In("loop-a/x")));
    }

    [Fact]
    public void Model_references_are_paths_when_they_look_like_one_or_name_something_in_the_workspace()
    {
        Directory.CreateDirectory(In("models/retriever"));
        Directory.CreateSymbolicLink(In("linked-org"), _outside);
        Directory.CreateDirectory(Path.Combine(_outside, "model"));

        Assert.Null(Boundary.ModelPath("sentence-transformers/all-MiniLM-L6-v2")); // an id: bundled or HF cache
        Assert.Null(Boundary.ModelPath("BAAI/bge-small-en-v1.5"));
        Assert.Equal(In("models/retriever"), Boundary.ModelPath("models/retriever"));
        Assert.Equal("/tmp/elsewhere", Boundary.ModelPath("/tmp/elsewhere"));
        Assert.Equal(In("models/none"), Boundary.ModelPath("./models/none"));
        Assert.Equal(In("linked-org/model"), Boundary.ModelPath("linked-org/model"));
        Assert.False(Boundary.Contains(Boundary.ModelPath("linked-org/model")!));
        Assert.True(Boundary.Contains(Boundary.ModelPath("models/retriever")!));
    }

    [Fact]
    public void Links_below_a_folder_that_lead_out_are_named_with_target_and_fix_and_inside_links_are_walked_too()
    {
        Directory.CreateDirectory(In("runs/f1/output/checkpoint-1"));
        Directory.CreateDirectory(In("shared/deeper"));
        Directory.CreateSymbolicLink(In("runs/f1/smoke"), _outside); // a folder out
        File.CreateSymbolicLink(In("runs/f1/output/checkpoint-1/model.safetensors"),
            Path.Combine(_outside, "secret.jsonl")); // a file out, two levels down
        File.CreateSymbolicLink(In("runs/f1/evaluate-base.json"), Path.Combine(_outside, "later.json")); // dangling
        File.CreateSymbolicLink(In("runs/f1/data"), Path.Combine("..", "..", "data")); // inside: fine
        Directory.CreateSymbolicLink(In("runs/f1/shared"), In("shared")); // inside, but what lies there leads out
        File.CreateSymbolicLink(In("shared/deeper/leak"), _outside);
        File.CreateSymbolicLink(In("shared/back"), In("runs/f1")); // a cycle through inside links ends

        var problems = Boundary.OutsideLinks("run_name", "f1", In("runs/f1"), "Remove the link.");

        Assert.Equal(4, problems.Count);
        Assert.Contains($"run_name 'f1' holds the symbolic link runs/f1/smoke -> {_outside}, which leads outside "
                        + $"the workspace {_workspace} (it really points to {_outside}). Remove the link.", problems);
        Assert.Contains(problems, p => p.Contains("runs/f1/output/checkpoint-1/model.safetensors -> "
                                                  + Path.Combine(_outside, "secret.jsonl"), StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("runs/f1/evaluate-base.json -> ", StringComparison.Ordinal)
                                       && p.Contains(Path.Combine(_outside, "later.json"), StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("runs/f1/shared/deeper/leak -> ", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains("runs/f1/data", StringComparison.Ordinal));

        Assert.Empty(Boundary.OutsideLinks("run_name", "f1", In("data"), "Remove the link."));
        Assert.Empty(Boundary.OutsideLinks("run_name", "none", In("runs/none"), "Remove the link."));
    }

    [Fact]
    public void Many_outside_links_are_named_up_to_a_limit_then_counted_and_a_loop_is_reported()
    {
        Directory.CreateDirectory(In("models/mix"));
        for (int i = 0; i < WorkspaceBoundary.LinksShown + 3; i++)
        {
            File.CreateSymbolicLink(In($"models/mix/file{i}.bin"), Path.Combine(_outside, $"blob{i}"));
        }

        var problems = Boundary.OutsideLinks("model.id", "models/mix", In("models/mix"), "Copy the files in.");

        Assert.Equal(WorkspaceBoundary.LinksShown + 1, problems.Count);
        Assert.Equal("model.id 'models/mix' holds 3 more symbolic links that lead outside the workspace below "
                     + "models/mix. Copy the files in.", problems[^1]);

        Directory.CreateDirectory(In("looped"));
        File.CreateSymbolicLink(In("looped/a"), "b");
        File.CreateSymbolicLink(In("looped/b"), "a");
        var loop = Boundary.OutsideLinks("run_name", "looped", In("looped"), "Remove the link.");
        Assert.Equal(2, loop.Count);
        Assert.All(loop, p => Assert.Contains("cannot be resolved", p, StringComparison.Ordinal));
    }
}
