using StTrain.Core.Data;
using StTrain.Core.Training;
using StTrain.Server.Commands;
using StTrain.Skill.Specs;
using StTrain.Skill.Templates;
using StTrain.Tests.Mcp;
using Xunit;

namespace StTrain.Tests.Skill;

/// <summary>
/// Every template this build marks available runs as shipped: scaffolded with no overrides into
/// runs/{name}/spec.yaml of a workspace holding the WordNet data, then smoke-tested on the bundled
/// all-MiniLM-L6-v2. A template whose comments document a preparation command (mining, teacher scores) gets that
/// exact command run first, on a small slice. Runs after the parallel tests: the commands write to the console.
/// </summary>
[Collection("training runs")]
public sealed class TemplateSmokeTests(TemplateSmokeWorkspace workspace) : IClassFixture<TemplateSmokeWorkspace>
{
    private const string MineCommand = "./st-train mine-hard-negatives";

    // Rows mined in the preparation step: enough for the two smoke batches of 32 after unfilled rows drop out.
    private const int PreparationRows = 160;

    public static TheoryData<string> AvailableTemplates() =>
        new(TemplateRegistry.All.Where(t => t.Available).Select(t => t.Name));

    [Theory]
    [MemberData(nameof(AvailableTemplates))]
    public void Available_template_passes_a_smoke_test_as_shipped(string name)
    {
        var info = TemplateRegistry.Find(name)!;
        var text = new TemplateLibrary(RepositoryPaths.Templates).ReadText(info);
        foreach (var command in DocumentedCommands(text))
        {
            Prepare(command);
        }

        var runName = "smoke-" + name.Replace('_', '-');
        var runs = new RunWorkspace(workspace.Root);
        var specPath = Path.Combine(runs.RunDirectory(runName), "spec.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(specPath)!);
        File.WriteAllText(specPath, SpecScaffolder.Scaffold(text, name, runName, null).Text);

        var exitCode = RunExecutor.Execute(specPath, smoke: true, runs);

        var log = File.ReadAllLines(runs.LogPath(runName));
        Assert.True(exitCode == 0, $"smoke test of {name} exited {exitCode}:\n" + string.Join('\n', log.TakeLast(15)));
        Assert.StartsWith("SMOKE TEST PASSED", log[^1], StringComparison.Ordinal);

        // Each smoke run saves a MiniLM folder (~90 MB); drop it so the workspace does not grow by one per template.
        Directory.Delete(Path.Combine(runs.RunDirectory(runName), "smoke", "output"), recursive: true);
    }

    [Fact]
    public void Templates_that_read_mined_data_document_the_command_that_makes_it()
    {
        foreach (var name in new[] { "hard_negative_mining", "sentence_transformer_distillation" })
        {
            var text = new TemplateLibrary(RepositoryPaths.Templates).ReadText(TemplateRegistry.Find(name)!);
            Assert.Single(DocumentedCommands(text));
        }
    }

    /// <summary>The `./st-train mine-hard-negatives ...` commands in a template's leading comments, as words.</summary>
    internal static IReadOnlyList<string[]> DocumentedCommands(string templateText)
    {
        var commands = new List<string[]>();
        var comment = templateText.Split('\n').TakeWhile(line => line.StartsWith('#'))
            .Select(line => line.TrimStart('#').Trim()).ToList();
        for (var i = 0; i < comment.Count; i++)
        {
            if (!comment[i].StartsWith(MineCommand, StringComparison.Ordinal))
            {
                continue;
            }

            var joined = comment[i];
            while (joined.EndsWith('\\') && i + 1 < comment.Count)
            {
                joined = joined[..^1] + " " + comment[++i];
            }

            commands.Add(joined[MineCommand.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        return commands;
    }

    // Runs the documented command with its paths inside the workspace, on the first PreparationRows rows.
    private void Prepare(string[] words)
    {
        var args = new List<string>();
        for (var i = 0; i < words.Length; i++)
        {
            args.Add(words[i]);
            if (words[i] is "--dataset" or "--out" or "--corpus" && i + 1 < words.Length)
            {
                args.Add(Path.Combine(workspace.Root, words[++i]));
            }
        }

        args.AddRange(["--max-rows", PreparationRows.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var output = args[args.IndexOf("--out") + 1];
        if (File.Exists(output))
        {
            return;
        }

        Assert.Equal(0, MineHardNegativesCommand.Run([.. args]));
        Assert.True(TabularDataset.Load(output).Count >= 64, $"{output} has too few rows for a smoke test.");
    }
}
