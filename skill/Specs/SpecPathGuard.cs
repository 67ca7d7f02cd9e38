using StTrain.Core.Training.Spec;

namespace StTrain.Skill.Specs;

/// <summary>
/// Keeps every path a client-written spec makes the trainer read or write inside the workspace, judged by where it
/// really leads (<see cref="WorkspaceBoundary"/>): data files, evaluator files, output_dir, the resume checkpoint,
/// the run's own folder and log, and models given as paths (model.id, a loss's guide or decoder, an evaluator's
/// teacher). Ids (sentence-transformers/all-MiniLM-L6-v2, a bundled or Hugging Face cache id) are not paths.
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
        void Check(string field, string? written, string? resolved)
        {
            if (!string.IsNullOrWhiteSpace(written) && resolved is not null
                && workspace.Problem(field, written, resolved, Fix) is { } problem)
            {
                problems.Add(problem);
            }
        }

        void CheckModel(string field, string? reference) => Check(field, reference, workspace.ModelPath(reference));

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

        Check("training.output_dir", spec.Training.OutputDir ?? $"runs/{spec.RunName}/output",
            spec.OutputDir(workspace.Root));
        if (spec.Training.ResumeFromCheckpoint is { } resume and not "latest")
            Check("training.resume_from_checkpoint", resume, spec.Resolve(resume));
        CheckModel("model.id", spec.Model.Id);

        // The trainer writes runs/{run_name}/ and logs/{run_name}.log, logs/experiments.md.
        Check("run_name", spec.RunName, Path.Combine(workspace.Root, "runs", spec.RunName));
        Check("run_name", spec.RunName, Path.Combine(workspace.Root, "logs", $"{spec.RunName}.log"));
        Check("logs/experiments.md", "logs/experiments.md", Path.Combine(workspace.Root, "logs", "experiments.md"));
        return problems;
    }

    private static string? Text(IReadOnlyDictionary<string, object?> parameters, string name) =>
        parameters.TryGetValue(name, out var value) && value is string text ? text : null;
}
