using StTrain.Core.Training.Spec;
using StTrain.Skill.Runs;

namespace StTrain.Skill.Specs;

/// <summary>
/// Keeps every path a client-written spec makes the trainer read or write inside the workspace, judged by where it
/// really leads (<see cref="WorkspaceBoundary"/>): data files, evaluator files, output_dir, the resume checkpoint,
/// the run's own folder and log, and models given as paths (model.id, a loss's guide or decoder, an evaluator's
/// teacher). Ids (sentence-transformers/all-MiniLM-L6-v2, a bundled or Hugging Face cache id) are not paths. A folder
/// that is inside (a model, a checkpoint, the run folder, output_dir) is also walked for symbolic links that lead out.
/// </summary>
public static class SpecPathGuard
{
    /// <summary>Loss and evaluator parameters whose value is a model id or folder.</summary>
    public static readonly IReadOnlyList<string> ModelParameters = ["guide", "decoder_name_or_path", "teacher_model"];

    private const string Fix = "Keep data, models, outputs and checkpoints inside the workspace (copy a file in "
                               + "first; a symbolic link must point inside the workspace too).";

    /// <summary>One line per path that leads out of the workspace; empty when all stay inside.</summary>
    public static IReadOnlyList<string> Escapes(string yaml, string specPath, WorkspaceBoundary workspace)
    {
        RunSpec spec;
        try
        {
            spec = RunSpec.Parse(yaml, specPath) with { WorkspaceRoot = workspace.Root };
        }
        catch (SpecException)
        {
            return []; // Parse errors are reported by the validation step with their line and fix.
        }

        var problems = new List<string>();
        void Check(string field, string? written, string? resolved, string? linkFix = null)
        {
            if (string.IsNullOrWhiteSpace(written) || resolved is null)
            {
                return;
            }

            if (workspace.Problem(field, written, resolved, Fix) is { } problem)
            {
                problems.Add(problem);
            }
            else if (linkFix is not null)
            {
                // The folder is inside; what lies in it (a model's files, checkpoints) must not lead out either.
                problems.AddRange(workspace.OutsideLinks(field, written, resolved, linkFix));
            }
        }

        void CheckModel(string field, string? reference) =>
            Check(field, reference, workspace.ModelPath(reference), ModelLinkFix);

        foreach (var dataset in spec.Train) Check($"{dataset.Field}.path", dataset.Path, spec.Resolve(dataset.Path));
        if (spec.Eval is { } eval) Check($"{eval.Field}.path", eval.Path, spec.Resolve(eval.Path));
        foreach (var evaluator in spec.Evaluators)
        {
            foreach (var (role, path) in evaluator.Data)
                Check($"{evaluator.Field}.data.{role}", path, spec.Resolve(path));
            foreach (var parameter in ModelParameters)
                CheckModel($"{evaluator.Field}.params.{parameter}", Text(evaluator.Params, parameter));
        }

        foreach (var loss in spec.Losses.Values.Prepend(spec.Loss))
        {
            foreach (var section in new[] { loss, loss.Wrapper }.OfType<LossSpec>())
                foreach (var parameter in ModelParameters)
                    CheckModel($"{section.Field}.params.{parameter}", Text(section.Params, parameter));
        }

        string runFolder = Path.Combine(workspace.Root, "runs", spec.RunName);
        string outputDir = spec.OutputDir(workspace.Root);
        bool outputInRun = Path.GetFullPath(outputDir).StartsWith(runFolder + Path.DirectorySeparatorChar,
            StringComparison.Ordinal); // walked with the run folder below
        Check("training.output_dir", spec.Training.OutputDir ?? $"runs/{spec.RunName}/output", outputDir,
            outputInRun ? null : LinkFix);
        if (spec.Training.ResumeFromCheckpoint is { } resume and not "latest")
            Check("training.resume_from_checkpoint", resume, spec.Resolve(resume), ModelLinkFix);
        CheckModel("model.id", spec.Model.Id);

        // The trainer writes runs/{run_name}/ and logs/{run_name}.log, logs/experiments.md.
        Check("run_name", spec.RunName, runFolder, RunLinkFix(spec.RunName));
        Check("run_name", spec.RunName, Path.Combine(workspace.Root, "logs", $"{spec.RunName}.log"));
        Check("logs/experiments.md", "logs/experiments.md", Path.Combine(workspace.Root, "logs", "experiments.md"));
        return problems;
    }

    /// <summary>
    /// Throws a <see cref="SkillException"/> that lists every problem when runs/{<paramref name="runName"/>}/spec.yaml
    /// names a path that leads out of the workspace (<see cref="Escapes"/>) or a symbolic link at or below
    /// runs/{<paramref name="runName"/>}/ leads out. Run before every child process that runs a spec (smoke_test,
    /// train, evaluate), since the child writes below the run folder and follows whatever links it finds there.
    /// </summary>
    public static void RequireInside(RunWorkspace runs, string runName)
    {
        var specPath = runs.SpecPath(runName);
        if (!File.Exists(specPath))
        {
            throw new SkillException(
                $"No spec for run '{runName}' at runs/{runName}/spec.yaml. Create it with scaffold_from_template.");
        }

        var problems = Escapes(File.ReadAllText(specPath), specPath, runs.Boundary)
            .Concat(runs.Boundary.OutsideLinks("run_name", runName, runs.RunDirectory(runName), RunLinkFix(runName)))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (problems.Count > 0)
        {
            throw new SkillException($"Refused: run '{runName}' reaches outside the workspace (through "
                                     + $"runs/{runName}/spec.yaml or a symbolic link below runs/{runName}/):\n"
                                     + string.Join('\n', problems.Select(problem => "- " + problem)));
        }
    }

    private const string LinkFix = "Remove the symbolic link, or point it inside the workspace.";

    /// <summary>The fix named for a symbolic link inside a model or checkpoint folder that leads out.</summary>
    public const string ModelLinkFix = "Remove the symbolic link and put a copy of the file it points to in its "
                                        + "place (cp -L copies what links point to, e.g. a Hugging Face cache "
                                        + "snapshot), or point it inside the workspace.";

    private static string RunLinkFix(string runName) =>
        $"Remove the symbolic link (the trainer writes below runs/{runName}/ and would follow it), or point it "
        + "inside the workspace.";

    private static string? Text(IReadOnlyDictionary<string, object?> parameters, string name) =>
        parameters.TryGetValue(name, out var value) && value is string text ? text : null;
}
