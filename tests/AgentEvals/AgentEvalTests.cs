using StTrain.Tests.Mcp;
using Xunit;
using Xunit.Abstractions;

namespace StTrain.Tests.AgentEvals;

/// <summary>
/// Scripted agent evaluations: each transcript in tests/AgentEvals/ is played against a fresh server, and the
/// report (TestResults/agent-evals.md at the repository root) gives the pass rate over all of them.
/// </summary>
public sealed class AgentEvalTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_transcript_passes_and_the_pass_rate_report_is_written()
    {
        var files = AgentEvalRunner.TranscriptFiles();
        Assert.True(files.Count >= 6, $"expected at least six transcripts, found {files.Count}");

        var outcomes = new List<AgentEvalOutcome>();
        foreach (var file in files)
        {
            var transcript = AgentEvalRunner.Load(file);
            Assert.Equal(Path.GetFileNameWithoutExtension(file), transcript.Name);
            outcomes.Add(await AgentEvalRunner.RunAsync(transcript));
        }

        var report = AgentEvalRunner.Report(outcomes);
        var reportPath = Path.Combine(RepositoryPaths.Root, "TestResults", "agent-evals.md");
        Directory.CreateDirectory(Path.GetDirectoryName(reportPath)!);
        File.WriteAllText(reportPath, report);
        output.WriteLine(report);

        Assert.All(outcomes, outcome => Assert.True(outcome.Passed, string.Join("\n", outcome.Failures)));
    }
}
