using System.Text.RegularExpressions;
using StTrain.Skill.References;
using StTrain.Tests.Mcp;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace StTrain.Tests.Skill;

/// <summary>The references are this system's documentation: complete, registered, and free of Python.</summary>
public sealed partial class ReferenceContentTests
{
    public static TheoryData<string> Names() => new(ReferenceRegistry.All.Select(r => r.Name));

    private static string Read(string name) => File.ReadAllText(Path.Combine(RepositoryPaths.References, name + ".md"));

    [GeneratedRegex("```yaml\\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();

    [GeneratedRegex(@"\./st-train (?<command>[a-z-]+)")]
    private static partial Regex Command();

    [Fact]
    public void Every_registered_reference_has_a_file_and_every_file_is_registered()
    {
        var files = Directory.GetFiles(RepositoryPaths.References, "*.md").Select(Path.GetFileNameWithoutExtension);

        Assert.Equal(ReferenceRegistry.All.Select(r => r.Name).Order(), files.Order());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void References_are_written_for_st_train_not_python(string name)
    {
        var text = Read(name);

        Assert.DoesNotContain("```python", text);
        Assert.DoesNotContain("pip install", text);
        Assert.DoesNotContain("from sentence_transformers", text);
        Assert.DoesNotMatch(@"(?m)^\s*import \w", text);
        Assert.DoesNotMatch(@"\w+\.py\b", text);
        Assert.NotEmpty(MarkdownSections.Headings(text));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Yaml_snippets_in_references_parse(string name)
    {
        foreach (Match block in YamlBlock().Matches(Read(name)))
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(block.Groups["body"].Value));
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Commands_shown_are_st_train_commands(string name)
    {
        string[] known =
            ["serve", "smoke", "train", "validate", "eval", "data", "mine-hard-negatives", "encode", "test"];
        foreach (Match command in Command().Matches(Read(name)))
        {
            Assert.Contains(command.Groups["command"].Value, known);
        }
    }

    [Fact]
    public void Troubleshooting_is_indexed_by_symptom_with_valid_log_patterns()
    {
        var index = TroubleshootingIndex.Parse(Read("troubleshooting"));

        Assert.True(index.Entries.Count >= 12);
        Assert.All(index.Entries, entry => Assert.Contains("**Fix", entry.Body));
        foreach (var pattern in index.Entries.SelectMany(entry => entry.Patterns))
        {
            _ = new Regex(pattern); // Every pattern is a valid regular expression.
        }
    }

    [Theory]
    [InlineData("step 40/200 | loss=nan | lr=1e-5", "Loss is NaN or infinite")]
    [InlineData("System.OutOfMemoryException: Insufficient memory", "Out of memory")]
    [InlineData("System.DllNotFoundException: libLibTorchSharp.so", "TorchSharp or libtorch fails to load")]
    [InlineData("runs/x/spec.yaml:12: training.warmup_ratio: is deprecated",
        "The spec is rejected before training starts")]
    [InlineData("VERDICT: REGRESSION | score=0.51 | baseline=0.55 | delta=-0.0400", "The model gets worse")]
    [InlineData("st-train serve: smoke test stopped after 900 s (time limit).", "Smoke test runs out of time")]
    [InlineData("faq FAILED: The training process is no longer running without writing a final result.\n"
                + "2026-12-04 | INFO | === run faq (/w/runs/faq/spec.yaml) ===", "The training process died without a verdict")]
    [InlineData("/w/runs/faq/spec.yaml: training.fp16: bf16 and fp16 are both true. Fix: remove fp16.",
        "The spec is rejected before training starts")]
    public void Failures_match_their_troubleshooting_entry(string failure, string heading)
    {
        var index = TroubleshootingIndex.Parse(Read("troubleshooting"));

        Assert.Equal(heading, index.Match(failure)?.Heading);
    }

    [Fact]
    public void Text_that_matches_no_pattern_matches_no_entry()
    {
        Assert.Null(TroubleshootingIndex.Parse(Read("troubleshooting")).Match("all good, nothing to see"));
    }

    [Theory]
    [InlineData("MARGINAL")]
    [InlineData("REGRESSION")]
    public void Training_args_proposes_next_experiments_for_weak_verdicts(string verdict)
    {
        var proposals = ExperimentAdvice.Parse(Read("training_args"), verdict);

        Assert.True(proposals.Count >= 4, $"{proposals.Count} proposals for {verdict}");
        Assert.All(proposals, proposal => Assert.True(proposal.Length > 40));
        Assert.Contains(proposals, proposal => proposal.Contains("training.learning_rate", StringComparison.Ordinal));
    }

    [Fact]
    public void A_win_needs_no_proposals()
    {
        Assert.Empty(ExperimentAdvice.Parse(Read("training_args"), "WIN"));
    }
}
