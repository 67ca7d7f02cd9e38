using System.Globalization;
using System.Text;
using System.Text.Json;
using StTrain.Skill.Templates;
using StTrain.Tests.Mcp;

namespace StTrain.Tests.AgentEvals;

/// <summary>What happens outside the tools in a transcript: data the user brings, files an agent edits.</summary>
public static class Fixtures
{
    /// <summary>Applies a named fixture in the workspace.</summary>
    public static void Apply(string name, AgentEvalStep step, string workspace)
    {
        switch (name)
        {
            case "write_tiny_retrieval_data":
                WriteTinyRetrievalData(Path.Combine(workspace, Required(step.Path, "path")));
                break;
            case "copy_template_as_spec":
                var info = TemplateRegistry.Find(Required(step.Template, "template"))!;
                var text = new TemplateLibrary(RepositoryPaths.Templates).ReadText(info)
                    .Replace("run_name: my-run", $"run_name: {Required(step.RunName, "run_name")}",
                        StringComparison.Ordinal);
                WriteFile(Path.Combine(workspace, "runs", step.RunName!, "spec.yaml"), text);
                break;
            case "record_passing_smoke":
                // The record a passing smoke_test leaves: the run's current spec hash, passed.
                var run = Path.Combine(workspace, "runs", Required(step.RunName, "run_name"));
                WriteFile(Path.Combine(run, "smoke.json"), JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["spec_hash"] = AgentEvalRunner.Sha256(Path.Combine(run, "spec.yaml")),
                    ["passed"] = true,
                    ["exit_code"] = 0,
                    ["finished_at"] = DateTimeOffset.UtcNow,
                }));
                break;
            case "append_to_file":
                File.AppendAllText(Path.Combine(workspace, Required(step.Path, "path")), Required(step.Text, "text"));
                break;
            default:
                throw new InvalidDataException($"Unknown fixture '{name}'.");
        }
    }

    private static string Required(string? value, string field) =>
        value ?? throw new InvalidDataException($"The fixture needs '{field}'.");

    private static void WriteFile(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    /// <summary>A small FAQ: each topic has a question, its answer, and another topic's answer as negative.</summary>
    public static void WriteTinyRetrievalData(string folder)
    {
        string[] topics =
        [
            "password reset", "invoice download", "account deletion", "two-factor login", "plan upgrade",
            "refund request", "email change", "team invitation", "data export", "api key rotation",
            "billing address", "mobile app sync", "dark mode", "language settings", "notification emails",
            "storage quota", "file sharing", "calendar integration", "single sign-on", "audit log",
        ];
        string Question(int i) => $"How do I handle {topics[i]} in my account?";
        string Answer(int i) => $"To manage {topics[i]}, open Settings, choose {topics[i]} and follow the steps shown.";

        var train = new StringBuilder();
        for (var i = 0; i < topics.Length; i++)
        {
            var negative = (i + 7) % topics.Length;
            train.AppendLine(JsonSerializer.Serialize(new { anchor = Question(i), positive = Answer(i),
                negative = Answer(negative) }));
        }

        var queries = new StringBuilder();
        var corpus = new StringBuilder();
        var qrels = new StringBuilder();
        for (var i = 0; i < topics.Length; i++)
        {
            var id = i.ToString(CultureInfo.InvariantCulture);
            queries.AppendLine(JsonSerializer.Serialize(new { id = $"q{id}", text = $"where is {topics[i]}?" }));
            corpus.AppendLine(JsonSerializer.Serialize(new { id = $"d{id}", text = Answer(i) }));
            qrels.AppendLine(JsonSerializer.Serialize(new { query_id = $"q{id}", corpus_id = $"d{id}" }));
        }

        WriteFile(Path.Combine(folder, "train.jsonl"), train.ToString());
        WriteFile(Path.Combine(folder, "dev.jsonl"), train.ToString());
        WriteFile(Path.Combine(folder, "queries.jsonl"), queries.ToString());
        WriteFile(Path.Combine(folder, "corpus.jsonl"), corpus.ToString());
        WriteFile(Path.Combine(folder, "qrels.jsonl"), qrels.ToString());
    }
}
