using StTrain.Core.Training.Spec;

namespace StTrain.Skill.Specs;

/// <summary>
/// Keeps the paths of a client-written spec inside the workspace: data files, evaluator files, output_dir, the
/// resume checkpoint and a model given as a folder. Ids (sentence-transformers/all-MiniLM-L6-v2) are not paths.
/// </summary>
public static class SpecPathGuard
{
    /// <summary>One line per path that leaves <paramref name="workspaceRoot"/>; empty when all stay inside.</summary>
    public static IReadOnlyList<string> Escapes(string yaml, string specPath, string workspaceRoot)
    {
        RunSpec spec;
        try
        {
            spec = RunSpec.Parse(yaml, specPath) with { WorkspaceRoot = workspaceRoot };
        }
        catch (SpecException)
        {
            return []; // Parse errors are reported by the validation step with their line and fix.
        }

        string root = Path.GetFullPath(workspaceRoot);
        var problems = new List<string>();
        void Check(string field, string? written, string? resolved)
        {
            if (string.IsNullOrWhiteSpace(written) || resolved is null || Inside(resolved, root)) return;
            problems.Add($"{field}: '{written}' resolves to {resolved}, outside the workspace {root}. Keep data, " +
                         "models, outputs and checkpoints under the workspace (copy a file in first).");
        }

        foreach (var dataset in spec.Train) Check($"{dataset.Field}.path", dataset.Path, spec.Resolve(dataset.Path));
        if (spec.Eval is { } eval) Check($"{eval.Field}.path", eval.Path, spec.Resolve(eval.Path));
        foreach (var evaluator in spec.Evaluators)
            foreach (var (role, path) in evaluator.Data)
                Check($"{evaluator.Field}.data.{role}", path, spec.Resolve(path));
        Check("training.output_dir", spec.Training.OutputDir, spec.OutputDir(root));
        if (spec.Training.ResumeFromCheckpoint is { } resume and not "latest")
            Check("training.resume_from_checkpoint", resume, spec.Resolve(resume));
        if (LooksLikePath(spec.Model.Id))
            Check("model.id", spec.Model.Id, Path.GetFullPath(Path.Combine(root, ExpandHome(spec.Model.Id))));
        return problems;
    }

    private static bool LooksLikePath(string id) =>
        id.StartsWith('/') || id.StartsWith('~') || id.StartsWith('.') || id.Contains("..", StringComparison.Ordinal);

    private static string ExpandHome(string path) => path.StartsWith("~/", StringComparison.Ordinal)
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
        : path;

    /// <summary>True when <paramref name="path"/> (after following a final symbolic link) lies under the root.</summary>
    private static bool Inside(string path, string root)
    {
        string full = Path.GetFullPath(path);
        FileSystemInfo info = Directory.Exists(full) ? new DirectoryInfo(full) : new FileInfo(full);
        if (info.Exists && info.LinkTarget is not null)
            full = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        string prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return full == root || full.StartsWith(prefix, StringComparison.Ordinal);
    }
}
