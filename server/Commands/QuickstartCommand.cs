using StTrain.Core.Training;
using StTrain.Skill;
using StTrain.Skill.Specs;
using StTrain.Skill.Templates;

namespace StTrain.Server.Commands;

/// <summary>
/// `st-train quickstart`: the main job end to end, offline. Builds the WordNet data when it is missing, scaffolds
/// the default bi-encoder template into runs/{RUN_NAME}/spec.yaml, smoke-tests it, then trains. The last line is
/// the VERDICT line.
/// </summary>
public static class QuickstartCommand
{
    public const string DefaultTemplate = "sentence_transformer";

    public static int Run(string[] args)
    {
        var cli = new CommandLine(args);
        string runName = cli.Get("run-name") ?? $"quickstart-{DateTime.Now:yyyyMMdd-HHmmss}";
        string template = cli.Get("template") ?? DefaultTemplate;
        cli.RejectUnknown();
        try
        {
            StTrain.Skill.Runs.RunNames.Validate(runName); // before anything is written under runs/
        }
        catch (StTrain.Skill.SkillException badName)
        {
            Console.Error.WriteLine($"st-train quickstart: --run-name: {badName.Message}");
            return 2;
        }
        if (RunCommand.RefusalToRetrain(runName, resume: false, overwrite: false,
                $"run ./st-train train runs/{runName}/spec.yaml --overwrite") is { } refusal)
        {
            Console.Error.WriteLine($"st-train quickstart: {refusal}");
            return 2;
        }

        // The template is checked before the WordNet data is built, so a typo costs nothing.
        var info = TemplateLibrary.Resolve(template);
        var workspace = RunWorkspace.Current;
        var paths = SkillPaths.Discover(workspace.Root);
        string data = Path.Combine(workspace.Root, "data", "wordnet");
        if (!File.Exists(Path.Combine(data, "reverse_dictionary", "train.jsonl")) ||
            !File.Exists(Path.Combine(data, "ir", "dev", "queries.jsonl")))
        {
            Console.WriteLine($"[1/4] Building WordNet datasets into {data} ...");
            int built = DataCommand.Run(["wordnet", "--out", data]);
            if (built != 0) return built;
        }
        else
        {
            Console.WriteLine($"[1/4] WordNet datasets found in {data}.");
        }

        string text = new TemplateLibrary(paths.TemplatesDirectory).ReadText(info);
        var scaffolded = SpecScaffolder.Scaffold(text, info.Name, runName, overrides: null);
        string specPath = Path.Combine(workspace.RunDirectory(runName), "spec.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(specPath)!);
        File.WriteAllText(specPath, scaffolded.Text);
        Console.WriteLine(
            $"[2/4] Scaffolded template '{info.Name}' into {Path.GetRelativePath(workspace.Root, specPath)}.");
        foreach (string warning in scaffolded.Warnings) Console.WriteLine($"      warning: {warning}");

        Console.WriteLine("[3/4] Smoke test (max_steps=1 on tiny slices) ...");
        int smoke = RunExecutor.Execute(specPath, smoke: true, workspace);
        if (smoke != 0)
        {
            Console.Error.WriteLine($"st-train quickstart: the smoke test failed; see {workspace.LogPath(runName)}.");
            return smoke;
        }

        Console.WriteLine("[4/4] Training ...");
        IProgress<TrainingProgress>? progress = Console.IsErrorRedirected ? null : new ConsoleProgressBar();
        return RunExecutor.Execute(specPath, smoke: false, workspace, progress);
    }
}
