using System.Text.RegularExpressions;
using StTrain.Core.Evaluation;
using StTrain.Core.Losses;
using StTrain.Tests.Mcp;
using Xunit;

namespace StTrain.Tests.Skill;

/// <summary>
/// The loss and evaluator references agree with the registries in both directions: every registered
/// SentenceTransformer loss / evaluator has a catalogue row stating what the registry enforces (input column count
/// and label kind; data roles and primary metric key), and every loss or evaluator name the text mentions is
/// registered, unless its catalogue row says it is not available in this build. The registries are read at run
/// time, so losses added later must be documented before this passes.
/// </summary>
public sealed partial class ReferenceCatalogueTests
{
    private const string NotAvailable = "not available in this build";
    private const string SentenceTransformer = "SentenceTransformer";

    private static readonly string LossText = Read("losses_sentence_transformer.md");
    private static readonly string EvaluatorText = Read("evaluators_sentence_transformer.md");

    public static TheoryData<string> Losses() =>
        new(LossRegistry.All.Where(l => l.ModelType == SentenceTransformer).Select(l => l.Name));

    public static TheoryData<string> Evaluators() =>
        new(EvaluatorRegistry.All.Where(e => e.ModelType == SentenceTransformer).Select(e => e.Name));

    [Theory]
    [MemberData(nameof(Losses))]
    public void Registered_loss_has_a_catalogue_row_matching_the_registry(string name)
    {
        var info = LossRegistry.Get(name);
        var row = CatalogueRow(LossText, name);

        Assert.True(row.Length >= 3, $"the catalogue row of {name} needs input columns and label cells");
        Assert.DoesNotContain(NotAvailable, string.Join(' ', row), StringComparison.OrdinalIgnoreCase);
        if (info.IsWrapper)
        {
            Assert.StartsWith("as the inner loss", row[1], StringComparison.Ordinal);
            Assert.StartsWith("as the inner loss", row[2], StringComparison.Ordinal);
            return;
        }

        Assert.Equal((info.MinInputColumns, info.MaxInputColumns), ColumnCount(name, row[1]));
        foreach (var kind in info.LabelKinds)
        {
            Assert.True(row[2].Contains(LabelWord(kind), StringComparison.Ordinal),
                $"{name} accepts {kind} labels (registry), but its Label cell '{row[2]}' does not say "
                + $"'{LabelWord(kind)}'.");
        }
    }

    [Theory]
    [MemberData(nameof(Evaluators))]
    public void Registered_evaluator_has_a_catalogue_row_with_its_roles_and_primary_metric(string name)
    {
        var info = EvaluatorRegistry.All.Single(e => e.Name == name);
        var row = CatalogueRow(EvaluatorText, name);

        Assert.True(row.Length >= 4, $"the catalogue row of {name} needs roles, primary metric and key cells");
        Assert.DoesNotContain(NotAvailable, string.Join(' ', row), StringComparison.OrdinalIgnoreCase);
        if (info.DataRoles.Count == 0)
        {
            Assert.StartsWith("none", row[1], StringComparison.Ordinal);
        }

        foreach (var role in info.DataRoles)
        {
            Assert.True(row[1].Contains($"`{role.Role}`", StringComparison.Ordinal),
                $"{name} reads a '{role.Role}' file (registry), but its Data roles cell '{row[1]}' does not name it.");
        }

        // The key the registry reports for an evaluator named "dev", as the trainer logs it.
        var key = info.MetricKeys("dev", EvaluatorParameters.Empty).FirstOrDefault(k => k.EndsWith(
            info.PrimaryMetric, StringComparison.Ordinal)) ?? info.PrimaryMetric;
        Assert.Equal($"`{info.PrimaryMetric}`", row[2]);
        Assert.StartsWith("eval_" + key, row[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_loss_the_reference_names_is_registered_or_marked_not_available()
    {
        AssertNamesRegistered(LossText, LossNames(), name => LossRegistry.TryGet(name, out _));
    }

    [Fact]
    public void Every_evaluator_the_reference_names_is_registered_or_marked_not_available()
    {
        AssertNamesRegistered(EvaluatorText, EvaluatorNames(),
            name => EvaluatorRegistry.All.Any(e => e.Name == name));
    }

    [Fact]
    public void The_catalogue_parser_sees_every_row()
    {
        // Guards the parser: a table the regex misses would make the name checks vacuous.
        Assert.True(CatalogueRows(LossText).Count >= LossRegistry.All.Count(l => l.ModelType == SentenceTransformer));
        Assert.True(CatalogueRows(EvaluatorText).Count >= EvaluatorRegistry.All.Count);
        Assert.Equal((2, null), ColumnCount("x", "2 or more: (anchor, positive)"));
        Assert.Equal((2, 3), ColumnCount("x", "2 or 3: (anchor, positive[, negative])"));
        Assert.Equal((1, 1), ColumnCount("x", "1: (sentence)"));
    }

    private static void AssertNamesRegistered(string text, Regex names, Func<string, bool> registered)
    {
        var rows = CatalogueRows(text);
        var problems = new List<string>();
        foreach (var name in names.Matches(text).Select(m => m.Value).Distinct())
        {
            var marked = rows.TryGetValue(name, out var row)
                         && string.Join(' ', row).Contains(NotAvailable, StringComparison.OrdinalIgnoreCase);
            if (registered(name) && marked)
            {
                problems.Add($"{name} is registered now: drop '{NotAvailable}' from its catalogue row and text.");
            }
            else if (!registered(name) && !marked)
            {
                problems.Add($"{name} is named but not registered: add a catalogue row saying '{NotAvailable}'.");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    // The cells of the catalogue table row whose first cell is the name (backticks and bold removed).
    private static string[] CatalogueRow(string text, string name) =>
        CatalogueRows(text).TryGetValue(name, out var row)
            ? row
            : throw new Xunit.Sdk.XunitException(
                $"{name} is registered but has no row in the '## Catalogue' table of its reference.");

    private static Dictionary<string, string[]> CatalogueRows(string text)
    {
        var start = text.IndexOf("\n## Catalogue", StringComparison.Ordinal);
        Assert.True(start >= 0, "the reference has no '## Catalogue' section");
        var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? text[start..] : text[start..end];
        var rows = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var lines = section.Split('\n')
            .Where(l => l.StartsWith('|') && !l.StartsWith("|---", StringComparison.Ordinal));
        foreach (var line in lines)
        {
            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            rows[cells[0].Trim('`', '*')] = cells;
        }

        return rows;
    }

    // "3", "2 or 3", "2 or more" at the start of an Input columns cell.
    private static (int Min, int? Max) ColumnCount(string name, string cell)
    {
        var match = CountPattern().Match(cell);
        Assert.True(match.Success, $"the Input columns cell of {name} ('{cell}') should start with 'N', 'N or M' or "
                                   + "'N or more'");
        var min = int.Parse(match.Groups["min"].Value, System.Globalization.CultureInfo.InvariantCulture);
        return match.Groups["more"].Success ? (min, null)
            : match.Groups["max"].Success
                ? (min, int.Parse(match.Groups["max"].Value, System.Globalization.CultureInfo.InvariantCulture))
                : (min, min);
    }

    private static string LabelWord(LabelKind kind) => kind switch
    {
        LabelKind.None => "none",
        LabelKind.Float => "float",
        LabelKind.Integer => "integer",
        LabelKind.FloatVector => "vector",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "a label kind this test does not know"),
    };

    private static string Read(string file) =>
        File.ReadAllText(Path.Combine(RepositoryPaths.References, file)).ReplaceLineEndings("\n");

    [GeneratedRegex(@"^(?<min>\d+)(?:(?<more> or more)| or (?<max>\d+))?(?=[:\s]|$)")]
    private static partial Regex CountPattern();

    [GeneratedRegex(@"\b[A-Z][A-Za-z0-9]*Loss[A-Za-z0-9]*\b")]
    private static partial Regex LossNames();

    [GeneratedRegex(@"\b[A-Z][A-Za-z0-9]*Evaluator\b")]
    private static partial Regex EvaluatorNames();
}
