using System.Text.Json;
using ModelContextProtocol.Protocol;
using StTrain.Core.Training.Spec;
using StTrain.Skill.References;
using StTrain.Skill.Routing;
using Xunit;

namespace StTrain.Tests.Mcp;

/// <summary>The server as an MCP client sees it: a real client over stdio against the built st-train.</summary>
public sealed class McpServerTests
{
    private static readonly string[] ExpectedTools =
    [
        "identify_model_type", "read_reference", "scaffold_from_template", "smoke_test", "train", "report_verdict",
        "mine_hard_negatives", "evaluate",
        "list_templates", "run_status", "list_references",
    ];

    [Fact]
    public async Task Lists_every_tool_with_a_description_on_the_tool_and_on_each_parameter()
    {
        await using var session = await ServerSession.StartAsync();
        var tools = await session.Client.ListToolsAsync();

        Assert.Equal(ExpectedTools.Order(), tools.Select(tool => tool.Name).Order());
        foreach (var tool in tools)
        {
            Assert.False(string.IsNullOrWhiteSpace(tool.Description), $"{tool.Name} has no description");
            Assert.NotNull(tool.ProtocolTool.OutputSchema);
            var schema = tool.JsonSchema;
            if (schema.TryGetProperty("properties", out var properties))
            {
                foreach (var parameter in properties.EnumerateObject())
                {
                    Assert.True(parameter.Value.TryGetProperty("description", out var description)
                                && description.GetString()!.Length > 10,
                        $"{tool.Name}.{parameter.Name} has no description");
                }
            }
        }
    }

    [Fact]
    public async Task Every_property_schema_is_an_object_schema_as_strict_clients_require()
    {
        // The TypeScript SDK rejects a tools/list whose output schema uses a boolean schema such as `true` (what an
        // untyped JSON property produces), so every property must carry a real object schema.
        await using var session = await ServerSession.StartAsync();
        foreach (var tool in await session.Client.ListToolsAsync())
        {
            var schemas = new[] { ("input", tool.JsonSchema), ("output", tool.ProtocolTool.OutputSchema!.Value) };
            foreach (var (kind, schema) in schemas)
            {
                if (!schema.TryGetProperty("properties", out var properties)) continue;
                foreach (var property in properties.EnumerateObject())
                    Assert.True(property.Value.ValueKind == JsonValueKind.Object,
                        $"{tool.Name} {kind} property '{property.Name}' has a {property.Value.ValueKind} schema");
            }
        }
    }

    [Fact]
    public async Task Scaffold_is_refused_before_reading_and_names_every_unread_file()
    {
        await using var session = await ServerSession.StartAsync();

        var result = await session.CallAsync("scaffold_from_template",
            new { template = "sentence_transformer", run_name = "too-early" });

        Assert.True(result.IsError);
        var text = ServerSession.TextOf(result);
        foreach (var reference in ReferenceRegistry.RequiredFor(ModelType.SentenceTransformer))
        {
            Assert.Contains(reference.Name, text);
        }

        Assert.False(File.Exists(Path.Combine(session.Workspace, "runs", "too-early", "spec.yaml")));
    }

    [Fact]
    public async Task Partial_reading_is_still_refused_and_only_the_missing_files_are_named()
    {
        await using var session = await ServerSession.StartAsync();
        var required = ReferenceRegistry.RequiredFor(ModelType.SentenceTransformer).Select(r => r.Name).ToList();
        await session.ReadAllAsync(required.Skip(1));

        var result = await session.CallAsync("scaffold_from_template",
            new { template = "sentence_transformer", run_name = "partial" });

        Assert.True(result.IsError);
        var text = ServerSession.TextOf(result);
        Assert.Contains(required[0], text);
        Assert.DoesNotContain(required[1], text);
    }

    [Fact]
    public async Task Identify_then_read_then_scaffold_writes_a_spec_the_trainer_parses()
    {
        await using var session = await ServerSession.StartAsync();
        var routed = await session.CallOkAsync("identify_model_type",
            new { task = "Fine-tune an embedding model for vector search over our support tickets" });
        Assert.Equal("SentenceTransformer", routed.GetProperty("model_type").GetString());
        var reading = routed.GetProperty("required_reading").EnumerateArray().Select(e => e.GetString()!).ToList();
        await session.ReadAllAsync(reading);

        var scaffolded = await session.CallOkAsync("scaffold_from_template", new
        {
            template = routed.GetProperty("templates")[0].GetString(),
            run_name = "tickets-v1",
            overrides = new Dictionary<string, object>
            {
                ["training.learning_rate"] = 3e-5,
                ["data.train.max_rows"] = 500,
                ["description"] = "Support tickets, first try",
            },
        });

        var specPath = Path.Combine(session.Workspace, "runs", "tickets-v1", "spec.yaml");
        Assert.Equal("runs/tickets-v1/spec.yaml", scaffolded.GetProperty("spec_path").GetString());
        Assert.Equal(File.ReadAllText(specPath), scaffolded.GetProperty("spec").GetString());
        var spec = RunSpec.Load(specPath);
        Assert.Equal("tickets-v1", spec.RunName);
        Assert.Equal(3e-5, spec.Training.LearningRate);
        Assert.Equal(500, spec.Train[0].MaxRows);
        Assert.Contains("# Default bi-encoder run", File.ReadAllText(specPath)); // template comments survive
        Assert.Contains(scaffolded.GetProperty("warnings").EnumerateArray(),
            warning => warning.GetString()!.Contains("does not exist yet", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("data.train.path", "/etc/passwd")]
    [InlineData("data.train.path", "../../../../outside.jsonl")]
    [InlineData("evaluators.0.data.corpus", "/etc/hostname")]
    [InlineData("training.output_dir", "/tmp/st-train-escaped")]
    [InlineData("model.id", "/usr/share")]
    public async Task Spec_paths_given_by_a_client_cannot_leave_the_workspace(string field, string path)
    {
        await using var session = await ServerSession.StartAsync();
        await session.ReadAllAsync(ReferenceRegistry.RequiredFor(ModelType.SentenceTransformer).Select(r => r.Name));
        var result = await session.CallAsync("scaffold_from_template", new
        {
            template = "sentence_transformer",
            run_name = "escape",
            overrides = new Dictionary<string, object> { [field] = path },
        });
        Assert.True(result.IsError, ServerSession.TextOf(result));
        Assert.Contains("outside the workspace", ServerSession.TextOf(result));
        Assert.False(File.Exists(Path.Combine(session.Workspace, "runs", "escape", "spec.yaml")));

        // A spec edited on disk after scaffolding is checked again before it runs.
        Directory.CreateDirectory(Path.Combine(session.Workspace, "runs", "edited"));
        string template = File.ReadAllText(Path.Combine(RepositoryPaths.Templates, "sentence_transformer.yaml"));
        File.WriteAllText(Path.Combine(session.Workspace, "runs", "edited", "spec.yaml"),
            template.Replace("run_name: my-run", "run_name: edited", StringComparison.Ordinal)
                .Replace("path: ../../data/wordnet/reverse_dictionary/train.jsonl", "path: /etc/passwd",
                    StringComparison.Ordinal));
        var smoke = await session.CallAsync("smoke_test", new { run_name = "edited" });
        Assert.True(smoke.IsError, ServerSession.TextOf(smoke));
        Assert.Contains("outside the workspace", ServerSession.TextOf(smoke));
    }

    [Fact]
    public async Task Bad_arguments_give_tool_errors_and_the_server_keeps_serving()
    {
        await using var session = await ServerSession.StartAsync();
        (string Tool, object Arguments, string Expected)[] cases =
        [
            ("identify_model_type", new { }, "task"),
            ("read_reference", new { name = "training_args", page = "two" }, "Bad arguments"),
            ("read_reference", new { name = "training_args", page = 99 }, "does not exist"),
            ("read_reference", new { name = "no_such_reference" }, "Valid names"),
            ("scaffold_from_template", new { template = "no_such_template", run_name = "x" }, "Valid names"),
            ("scaffold_from_template", new { template = "sentence_transformer", run_name = "../escape" }, "run_name"),
            ("smoke_test", new { run_name = "never-scaffolded" }, "scaffold_from_template"),
            ("train", new { run_name = "never-scaffolded" }, "scaffold_from_template"),
            ("report_verdict", new { run_name = "never-scaffolded" }, "No run named"),
            ("train", new { run_name = "x", wait_seconds = 100000 }, "wait_seconds"),
        ];

        foreach (var (tool, arguments, expected) in cases)
        {
            var result = await session.CallAsync(tool, arguments);
            Assert.True(result.IsError, $"{tool} should fail for {JsonSerializer.Serialize(arguments)}");
            Assert.Contains(expected, ServerSession.TextOf(result), StringComparison.OrdinalIgnoreCase);
        }

        var healthy = await session.CallOkAsync("identify_model_type", new { task = "train a SPLADE model" });
        Assert.Equal("SparseEncoder", healthy.GetProperty("model_type").GetString());
    }

    [Theory]
    [InlineData("../../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("..")]
    [InlineData("references/training_args")]
    [InlineData("training_args/../../SKILL")]
    [InlineData("..\\..\\SKILL")]
    [InlineData("~/secrets")]
    public async Task Reference_names_cannot_reach_outside_the_references_folder(string name)
    {
        await using var session = await ServerSession.StartAsync();

        var result = await session.CallAsync("read_reference", new { name });

        Assert.True(result.IsError);
        Assert.Contains("not a reference name", ServerSession.TextOf(result));
    }

    [Fact]
    public async Task Unavailable_templates_are_listed_with_a_reason_and_refused_with_it()
    {
        await using var session = await ServerSession.StartAsync();
        var listing = await session.CallOkAsync("list_templates");
        var unavailable = listing.GetProperty("templates").EnumerateArray()
            .Where(template => !template.GetProperty("available").GetBoolean()).ToList();
        Assert.All(unavailable, template =>
            Assert.Contains("lacks", template.GetProperty("unavailable_reason").GetString()));
        if (unavailable.Count == 0)
        {
            return; // Every template's core feature has landed; nothing to refuse.
        }

        var first = unavailable[0];
        var type = Enum.Parse<ModelType>(first.GetProperty("model_type").GetString()!);
        await session.ReadAllAsync(ReferenceRegistry.RequiredFor(type).Select(r => r.Name));
        var refused = await session.CallAsync("scaffold_from_template",
            new { template = first.GetProperty("name").GetString(), run_name = "unavailable" });

        Assert.True(refused.IsError);
        Assert.Contains(first.GetProperty("unavailable_reason").GetString()!, ServerSession.TextOf(refused));
    }

    [Fact]
    public async Task Skill_md_is_served_as_a_resource_and_as_a_prompt()
    {
        await using var session = await ServerSession.StartAsync();
        var skill = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "SKILL.md"));

        var resources = await session.Client.ListResourcesAsync();
        var resource = Assert.Single(resources, r => r.Uri.EndsWith("SKILL.md", StringComparison.Ordinal));
        var read = await session.Client.ReadResourceAsync(resource.Uri);
        Assert.Equal(skill, Assert.IsType<TextResourceContents>(Assert.Single(read.Contents)).Text);

        var prompt = await session.Client.GetPromptAsync("train_sentence_transformers",
            new Dictionary<string, object?> { ["task"] = "rerank search results" });
        Assert.Equal(skill, Assert.IsType<TextContentBlock>(prompt.Messages[0].Content).Text);
        Assert.Contains("rerank search results", Assert.IsType<TextContentBlock>(prompt.Messages[1].Content).Text);
    }
}
