using System.Text.Json;
using StTrain.Skill.References;
using StTrain.Skill.Routing;
using StTrain.Tests.Support;
using Xunit;

namespace StTrain.Tests.Mcp;

/// <summary>
/// Symbolic links in the workspace, through a real MCP client: a link that leads out of the workspace carries no read
/// or write out of it (mining, run folders, spec paths), while links that stay inside keep working end to end.
/// </summary>
public sealed class WorkspaceEscapeTests : IDisposable
{
    private readonly string _outside = RepositoryPaths.NewWorkspace();

    public void Dispose() => Directory.Delete(_outside, recursive: true);

    private static readonly string[] Texts =
        ["a dog that barks", "a small cat", "the salt sea", "a flowing river", "a tall tree", "a bird with feathers"];

    private static void WritePairs(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, Texts.Select((text, i) =>
            JsonSerializer.Serialize(new { anchor = text, positive = Texts[(i + 1) % Texts.Length] + $" {i}" })));
    }

    private string[] OutsideFiles() =>
        Directory.EnumerateFileSystemEntries(_outside, "*", SearchOption.AllDirectories).Order().ToArray();

    private static async Task ReadRequiredAsync(ServerSession session) =>
        await session.ReadAllAsync(ReferenceRegistry.RequiredFor(ModelType.SentenceTransformer).Select(r => r.Name));

    [Fact]
    public async Task Mining_through_a_link_out_of_the_workspace_is_refused_and_writes_nothing_there()
    {
        await using var session = await ServerSession.StartAsync();
        WritePairs(Path.Combine(session.Workspace, "tiny", "pairs.jsonl"));
        WritePairs(Path.Combine(_outside, "pairs.jsonl"));
        using (var model = TinyModels.Create(normalize: true)) model.Save(Path.Combine(_outside, "model"));
        Directory.CreateSymbolicLink(Path.Combine(session.Workspace, "tiny", "outlink"), _outside);
        var before = OutsideFiles();

        var cases = new (object Arguments, string Argument, string Given)[]
        {
            (new { dataset = "tiny/pairs.jsonl", output_path = "tiny/outlink/mined.jsonl" }, "output_path",
                "tiny/outlink/mined.jsonl"),
            (new { dataset = "tiny/outlink/pairs.jsonl", output_path = "tiny/mined.jsonl" }, "dataset",
                "tiny/outlink/pairs.jsonl"),
            (new { dataset = "tiny/pairs.jsonl", output_path = "tiny/mined.jsonl", model = "tiny/outlink/model" },
                "model", "tiny/outlink/model"),
            (new { dataset = "tiny/pairs.jsonl", output_path = "tiny/mined.jsonl", model = _outside + "/model" },
                "model", _outside + "/model"),
            (new
            {
                dataset = "tiny/pairs.jsonl", output_path = "tiny/mined.jsonl", cross_encoder = "tiny/outlink/model",
                max_score = 0.9,
            }, "cross_encoder", "tiny/outlink/model"),
        };
        foreach (var (arguments, argument, given) in cases)
        {
            var result = await session.CallAsync("mine_hard_negatives", arguments);
            var text = ServerSession.TextOf(result);
            Assert.True(result.IsError, text);
            Assert.Contains($"{argument} '{given}' leads outside the workspace", text, StringComparison.Ordinal);
            Assert.Contains(_outside, text, StringComparison.Ordinal); // where it really points
        }

        // A model folder inside the workspace whose files link out (a copied cache snapshot) is refused too.
        Directory.CreateDirectory(Path.Combine(session.Workspace, "tiny", "mix"));
        File.CreateSymbolicLink(Path.Combine(session.Workspace, "tiny", "mix", "config.json"),
            Path.Combine(_outside, "model", "config.json"));
        foreach (var argument in new[] { "model", "cross_encoder" })
        {
            var arguments = new Dictionary<string, object>
            {
                ["dataset"] = "tiny/pairs.jsonl", ["output_path"] = "tiny/mined.jsonl", [argument] = "tiny/mix",
                ["max_score"] = 0.9,
            };
            var result = await session.CallAsync("mine_hard_negatives", arguments);
            var text = ServerSession.TextOf(result);
            Assert.True(result.IsError, text);
            Assert.StartsWith($"{argument} 'tiny/mix' holds the symbolic link tiny/mix/config.json -> "
                              + Path.Combine(_outside, "model", "config.json"), text, StringComparison.Ordinal);
        }

        Assert.Equal(before, OutsideFiles());
        Assert.False(File.Exists(Path.Combine(session.Workspace, "tiny", "mined.jsonl")));
    }

    [Fact]
    public async Task Mining_through_links_that_stay_inside_the_workspace_works()
    {
        await using var session = await ServerSession.StartAsync();
        var workspace = session.Workspace;
        WritePairs(Path.Combine(workspace, "data", "pairs.jsonl"));
        using (var model = TinyModels.Create(normalize: true)) model.Save(Path.Combine(workspace, "models", "tiny"));
        Directory.CreateSymbolicLink(Path.Combine(workspace, "alias"), Path.Combine(workspace, "data"));
        Directory.CreateSymbolicLink(Path.Combine(workspace, "modellink"), Path.Combine(workspace, "models", "tiny"));

        var result = await session.CallOkAsync("mine_hard_negatives", new
        {
            dataset = "alias/pairs.jsonl", output_path = "alias/mined/pairs.jsonl", model = "modellink",
            num_negatives = 1,
        });

        Assert.Equal("alias/mined/pairs.jsonl", result.GetProperty("output_path").GetString());
        var written = Path.Combine(workspace, "data", "mined", "pairs.jsonl"); // where the link really leads
        Assert.Equal(result.GetProperty("row_count").GetInt64(), File.ReadAllLines(written).Length);
        Assert.True(result.GetProperty("row_count").GetInt64() > 0);
    }

    [Fact]
    public async Task A_run_folder_linked_out_of_the_workspace_is_never_written_read_or_listed()
    {
        await using var session = await ServerSession.StartAsync();
        await ReadRequiredAsync(session);
        Directory.CreateDirectory(Path.Combine(session.Workspace, "runs"));
        var target = Path.Combine(_outside, "symrun");
        Directory.CreateSymbolicLink(Path.Combine(session.Workspace, "runs", "symrun"), target); // dangling for now

        var scaffold = await session.CallAsync("scaffold_from_template",
            new { template = "sentence_transformer", run_name = "symrun" });
        Assert.True(scaffold.IsError, ServerSession.TextOf(scaffold));
        Assert.Contains("run_name 'symrun' leads outside the workspace", ServerSession.TextOf(scaffold));
        Assert.Contains(target, ServerSession.TextOf(scaffold));
        Assert.Contains("remove the symbolic link", ServerSession.TextOf(scaffold));
        Assert.False(Directory.Exists(target));

        // A spec someone placed there is not run, and the run is not reported from outside either.
        Directory.CreateDirectory(target);
        string template = File.ReadAllText(Path.Combine(RepositoryPaths.Templates, "sentence_transformer.yaml"));
        File.WriteAllText(Path.Combine(target, "spec.yaml"),
            template.Replace("run_name: my-run", "run_name: symrun", StringComparison.Ordinal));
        var before = OutsideFiles();
        foreach (var tool in new[] { "smoke_test", "train", "report_verdict", "run_status" })
        {
            var result = await session.CallAsync(tool, new { run_name = "symrun" });
            Assert.True(result.IsError, $"{tool}: {ServerSession.TextOf(result)}");
            Assert.Contains("leads outside the workspace", ServerSession.TextOf(result));
        }

        Assert.Equal(before, OutsideFiles());
        var status = await session.CallOkAsync("run_status");
        Assert.Empty(status.GetProperty("runs").EnumerateArray());

        // A real run folder whose result.json links out is listed as refused; the other runs are still listed.
        foreach (var name in new[] { "good", "leaky" })
        {
            Directory.CreateDirectory(Path.Combine(session.Workspace, "runs", name));
            File.WriteAllText(Path.Combine(session.Workspace, "runs", name, "spec.yaml"),
                template.Replace("run_name: my-run", $"run_name: {name}", StringComparison.Ordinal));
        }
        File.WriteAllText(Path.Combine(_outside, "result.json"), "{\"status\": \"finished\"}");
        File.CreateSymbolicLink(Path.Combine(session.Workspace, "runs", "leaky", "result.json"),
            Path.Combine(_outside, "result.json"));
        var listing = (await session.CallOkAsync("run_status")).GetProperty("runs").EnumerateArray()
            .ToDictionary(e => e.GetProperty("run_name").GetString()!, e => e.GetProperty("status").GetString());
        Assert.Equal("scaffolded", listing["good"]);
        Assert.Equal("refused", listing["leaky"]);
    }

    [Fact]
    public async Task Spec_paths_through_a_link_out_of_the_workspace_are_refused_at_scaffold_and_before_a_smoke_test()
    {
        await using var session = await ServerSession.StartAsync();
        await ReadRequiredAsync(session);
        WritePairs(Path.Combine(_outside, "pairs.jsonl"));
        Directory.CreateDirectory(Path.Combine(session.Workspace, "tiny"));
        Directory.CreateSymbolicLink(Path.Combine(session.Workspace, "tiny", "outlink"), _outside);

        foreach (var (field, path) in new[]
                 {
                     ("data.train.path", "tiny/outlink/pairs.jsonl"), ("training.output_dir", "tiny/outlink/out"),
                     ("evaluators.0.data.corpus", "../../tiny/outlink/pairs.jsonl"),
                 })
        {
            var scaffold = await session.CallAsync("scaffold_from_template", new
            {
                template = "sentence_transformer", run_name = "linked",
                overrides = new Dictionary<string, object> { [field] = path },
            });
            Assert.True(scaffold.IsError, ServerSession.TextOf(scaffold));
            var named = field.Replace("evaluators.0", "evaluators[0]", StringComparison.Ordinal); // trainer's naming
            Assert.Contains($"{named} '{path}' leads outside the workspace", ServerSession.TextOf(scaffold));
        }

        Assert.False(Directory.Exists(Path.Combine(session.Workspace, "runs", "linked")));

        var handmade = Path.Combine(session.Workspace, "runs", "handmade");
        Directory.CreateDirectory(handmade);
        string template = File.ReadAllText(Path.Combine(RepositoryPaths.Templates, "sentence_transformer.yaml"));
        File.WriteAllText(Path.Combine(handmade, "spec.yaml"),
            template.Replace("run_name: my-run", "run_name: handmade", StringComparison.Ordinal)
                .Replace("path: ../../data/wordnet/reverse_dictionary/train.jsonl", "path: tiny/outlink/pairs.jsonl",
                    StringComparison.Ordinal));
        var smoke = await session.CallAsync("smoke_test", new { run_name = "handmade" });
        Assert.True(smoke.IsError, ServerSession.TextOf(smoke));
        Assert.Contains("data.train.path 'tiny/outlink/pairs.jsonl' leads outside the workspace",
            ServerSession.TextOf(smoke));
        Assert.Contains(Path.Combine(_outside, "pairs.jsonl"), ServerSession.TextOf(smoke));
        Assert.False(File.Exists(Path.Combine(handmade, "smoke.json")));
    }

    [Fact]
    public async Task Inside_links_smoke_test_a_run_warnings_follow_resolution_and_run_name_must_match_its_folder()
    {
        using var tiny = new TinyWorkspace(pairs: 24);
        await using var session = await ServerSession.StartAsync(tiny.Root);
        await ReadRequiredAsync(session);
        Directory.CreateSymbolicLink(Path.Combine(tiny.Root, "alias"), Path.Combine(tiny.Root, "data"));
        Directory.CreateSymbolicLink(Path.Combine(tiny.Root, "modellink"), tiny.ModelPath);

        // The scaffold warns about a data file only when neither beside the spec nor the workspace root has it.
        var scaffolded = await session.CallOkAsync("scaffold_from_template", new
        {
            template = "sentence_transformer", run_name = "e4",
            overrides = new Dictionary<string, object> { ["data.train.path"] = "alias/train.jsonl" },
        });
        var warnings = scaffolded.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        Assert.DoesNotContain(warnings, warning => warning.Contains("data.train.path", StringComparison.Ordinal));
        Assert.Contains(warnings, warning => warning.StartsWith("'evaluators.0.data.queries' is ../../data/wordnet",
            StringComparison.Ordinal) && warning.Contains("neither beside the spec", StringComparison.Ordinal));

        // A hand-written spec whose model and data are reached through links inside the workspace passes its smoke.
        string yaml = File.ReadAllText(tiny.WriteSpec("linked", "max_steps: 2"))
            .Replace($"id: {tiny.ModelPath}", "id: modellink", StringComparison.Ordinal)
            .Replace(": data/", ": alias/", StringComparison.Ordinal);
        Assert.Contains("alias/qrels.jsonl", yaml, StringComparison.Ordinal);
        Directory.CreateDirectory(Path.Combine(tiny.Root, "runs", "linked"));
        File.WriteAllText(Path.Combine(tiny.Root, "runs", "linked", "spec.yaml"), yaml);
        var smoke = await session.CallOkAsync("smoke_test", new { run_name = "linked", timeout_seconds = 600 });
        Assert.True(smoke.GetProperty("passed").GetBoolean(),
            string.Join('\n', smoke.GetProperty("log_tail").EnumerateArray().Select(l => l.GetString())));

        // The same spec in runs/bad-runname/ with run_name linked is refused, and nothing lands in another folder.
        var bad = Path.Combine(tiny.Root, "runs", "bad-runname");
        Directory.CreateDirectory(bad);
        File.WriteAllText(Path.Combine(bad, "spec.yaml"),
            yaml.Replace("run_name: linked", "run_name: other-name", StringComparison.Ordinal));
        var refused = await session.CallOkAsync("smoke_test", new { run_name = "bad-runname", timeout_seconds = 600 });
        Assert.False(refused.GetProperty("passed").GetBoolean());
        var tail = string.Join('\n', refused.GetProperty("log_tail").EnumerateArray().Select(l => l.GetString()));
        Assert.Contains("run_name is 'other-name' but the spec is runs/bad-runname/spec.yaml", tail);
        Assert.Contains("set run_name: bad-runname", tail);
        Assert.False(Directory.Exists(Path.Combine(tiny.Root, "runs", "other-name")));
    }

    [Fact]
    public async Task Evaluate_smoke_and_train_refuse_outside_spec_paths_and_outside_links_below_the_run_or_model()
    {
        using var tiny = new TinyWorkspace(pairs: 16);
        await using var session = await ServerSession.StartAsync(tiny.Root);
        string yaml = File.ReadAllText(tiny.WriteSpec("ev", "max_steps: 2"));
        var run = Path.Combine(tiny.Root, "runs", "ev");
        Directory.CreateDirectory(run);
        WritePairs(Path.Combine(_outside, "pairs.jsonl"));
        Directory.CreateDirectory(Path.Combine(_outside, "model"));
        Directory.CreateSymbolicLink(Path.Combine(tiny.Root, "outlink"), _outside);
        Directory.CreateDirectory(Path.Combine(tiny.Root, "models", "mix")); // a folder inside whose file links out
        File.CreateSymbolicLink(Path.Combine(tiny.Root, "models", "mix", "model.safetensors"),
            Path.Combine(_outside, "model.safetensors"));
        var before = OutsideFiles();

        async Task<string> RefusedAsync(string tool, string? change = null)
        {
            var result = await session.CallAsync(tool, new { run_name = "ev" });
            var text = ServerSession.TextOf(result);
            Assert.True(result.IsError, $"{tool} ({change}): {text}");
            Assert.True(text.StartsWith("Refused: run 'ev' reaches outside the workspace", StringComparison.Ordinal),
                $"{tool} ({change}): {text}");
            return text;
        }

        // The spec's own paths: an evaluator file (absolute, or '..' through a link) and model.id.
        var outsidePairs = Path.Combine(_outside, "pairs.jsonl");
        foreach (var (from, to, expected) in new[]
                 {
                     ("corpus: data/corpus.jsonl", $"corpus: {outsidePairs}",
                         $"evaluators[0].data.corpus '{outsidePairs}' leads outside the workspace"),
                     ("corpus: data/corpus.jsonl", "corpus: ../../outlink/pairs.jsonl",
                         "evaluators[0].data.corpus '../../outlink/pairs.jsonl' leads outside the workspace"),
                     ($"id: {tiny.ModelPath}", "id: outlink/model", "model.id 'outlink/model' leads outside"),
                     ($"id: {tiny.ModelPath}", "id: models/mix",
                         "model.id 'models/mix' holds the symbolic link models/mix/model.safetensors -> "
                         + Path.Combine(_outside, "model.safetensors")),
                 })
        {
            Assert.Contains(from, yaml, StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(run, "spec.yaml"), yaml.Replace(from, to, StringComparison.Ordinal));
            Assert.Contains(expected, await RefusedAsync("evaluate", to), StringComparison.Ordinal);
        }

        // Links below the run folder that the child would write through: refused before any child starts.
        File.WriteAllText(Path.Combine(run, "spec.yaml"), yaml);
        File.CreateSymbolicLink(Path.Combine(run, "evaluate-base.json"), Path.Combine(_outside, "metrics.json"));
        Directory.CreateSymbolicLink(Path.Combine(run, "smoke"), _outside);
        foreach (var tool in new[] { "evaluate", "smoke_test", "train" })
        {
            var text = await RefusedAsync(tool);
            Assert.Contains($"run_name 'ev' holds the symbolic link runs/ev/smoke -> {_outside}", text,
                StringComparison.Ordinal);
            Assert.Contains("runs/ev/evaluate-base.json -> " + Path.Combine(_outside, "metrics.json"), text,
                StringComparison.Ordinal);
            Assert.Contains("Remove the symbolic link", text, StringComparison.Ordinal);
        }

        Assert.Equal(before, OutsideFiles());
        Assert.False(File.Exists(Path.Combine(run, "evaluate-base.console.log")));
        Assert.False(File.Exists(Path.Combine(run, "smoke.json")));

        // With the links removed, and one that stays inside added, the base model is evaluated.
        File.Delete(Path.Combine(run, "evaluate-base.json"));
        Directory.Delete(Path.Combine(run, "smoke"));
        Directory.CreateSymbolicLink(Path.Combine(run, "data"), Path.Combine(tiny.Root, "data"));
        var evaluation = await session.CallOkAsync("evaluate", new { run_name = "ev", model = "base" });
        Assert.Equal("base", evaluation.GetProperty("model").GetString());
        Assert.True(File.Exists(Path.Combine(run, "evaluate-base.json")));
        Assert.Equal(before, OutsideFiles());
    }
}
