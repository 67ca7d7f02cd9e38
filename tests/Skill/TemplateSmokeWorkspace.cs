using StTrain.Core.Runtime;
using StTrain.Server.Commands;

namespace StTrain.Tests.Skill;

/// <summary>
/// A temporary workspace laid out as the templates expect: data/wordnet built once by `st-train data wordnet`
/// (small: a few hundred synsets, a short IR dev split), and runs/{name}/spec.yaml for each scaffolded template, so
/// the templates' ../../data/wordnet paths resolve unchanged.
/// </summary>
public sealed class TemplateSmokeWorkspace : IDisposable
{
    public TemplateSmokeWorkspace()
    {
        TorchRuntime.Initialize();
        Root = Directory.CreateTempSubdirectory("st-train-template-smoke-").FullName;
        int rc = DataCommand.Run(
        [
            "wordnet", "--out", Path.Combine(Root, "data", "wordnet"), "--max-synsets", "600", "--max-queries", "40",
            "--max-distractors", "60", "--reranking-negatives", "2",
        ]);
        if (rc != 0)
        {
            throw new InvalidOperationException($"st-train data wordnet exited with {rc}; see the test output.");
        }
    }

    public string Root { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A failed run may hold a log open; the OS cleans the temp folder later.
        }
    }
}
