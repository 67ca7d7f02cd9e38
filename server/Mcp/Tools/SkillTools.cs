using System.ComponentModel;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using StTrain.Server.Mcp.Results;
using StTrain.Skill;
using StTrain.Skill.References;
using StTrain.Skill.Routing;
using StTrain.Skill.Runs;
using StTrain.Skill.Specs;
using StTrain.Skill.Templates;

namespace StTrain.Server.Mcp.Tools;

/// <summary>Routing, required reading and scaffolding: everything before a run exists.</summary>
[McpServerToolType]
public sealed class SkillTools(SkillServices skill, ILogger<SkillTools> logger)
{
    /// <summary>identify_model_type.</summary>
    [McpServerTool(Name = "identify_model_type", Title = "Identify the model type", ReadOnly = true,
        Idempotent = true, OpenWorld = false, UseStructuredContent = true,
        OutputSchemaType = typeof(IdentifyModelTypeResult))]
    [Description("Step 1 of every training task. Routes a one-sentence request to SentenceTransformer (embedding "
                 + "model: similarity, vector search), CrossEncoder (reranker: rerank, two-stage) or SparseEncoder "
                 + "(SPLADE: sparse, inverted index) and returns the references you must read in full before "
                 + "scaffold_from_template will accept a template of that type, plus the templates to start from. "
                 + "When ambiguous is true, ask the user which kind of model they want; do not guess.")]
    public CallToolResult IdentifyModelType(
        [Description("The user's request in their own words, e.g. 'train a reranker for our support search'.")]
        string task)
    {
        var decision = ModelTypeRouter.Route(task);
        var type = decision.ModelType;
        var required = type is { } known
            ? ReferenceRegistry.RequiredFor(known).Select(info => info.Name).ToList()
            : [];
        var conditional = type is { } forType
            ? ReferenceRegistry.WhenApplicableFor(forType)
                .Select(info => new ConditionalReference(info.Name, info.AppliesWhen ?? "")).ToList()
            : [];
        var templates = type is { } templateType ? TemplateRegistry.For(templateType) : [];
        var result = new IdentifyModelTypeResult(
            type?.ToString(),
            decision.Ambiguous,
            decision.Reason,
            required,
            conditional,
            templates.Where(info => info.Available).Select(info => info.Name).ToList(),
            templates.Where(info => !info.Available).Select(Summarize).ToList(),
            decision.MatchedCues.ToDictionary(pair => pair.Key.ToString(), pair => pair.Value));
        logger.LogInformation("identify_model_type → {Type} (ambiguous: {Ambiguous})", type, decision.Ambiguous);

        var text = new StringBuilder();
        if (type is null)
        {
            text.AppendLine($"Ambiguous request. {decision.Reason}");
        }
        else
        {
            text.AppendLine($"Model type: {type}. {decision.Reason}");
            text.AppendLine();
            text.AppendLine("Read these in full with read_reference before scaffolding (every page; troubleshooting: "
                            + "its headings are enough):");
            foreach (var name in required)
            {
                text.AppendLine($"- {name}");
            }

            text.AppendLine("Also required when they apply:");
            foreach (var entry in conditional)
            {
                text.AppendLine($"- {entry.Name}: when {entry.AppliesWhen}");
            }

            text.AppendLine();
            text.AppendLine(result.Templates.Count == 0
                ? "Templates: none of this model type is available in this build (reasons below)."
                : $"Templates: {string.Join(", ", result.Templates)} (default first).");
            foreach (var unavailable in result.UnavailableTemplates)
            {
                text.AppendLine($"Unavailable: {unavailable.Name} — {unavailable.UnavailableReason}");
            }
        }

        return ToolResults.Create(result, text.ToString().TrimEnd());
    }

    /// <summary>list_references.</summary>
    [McpServerTool(Name = "list_references", Title = "List the references", ReadOnly = true, Idempotent = true,
        OpenWorld = false, UseStructuredContent = true, OutputSchemaType = typeof(ListReferencesResult))]
    [Description("Lists every reference file with the model types it concerns, whether it is always required, "
                 + "skim-only or required when a condition holds, its page count, and how much of it this session "
                 + "has read.")]
    public CallToolResult ListReferences(McpServer server) => ToolResults.Guard(() =>
    {
        var ledger = skill.Ledgers.For(SessionKeys.For(server));
        var summaries = ReferenceRegistry.All.Select(info =>
        {
            var pages = skill.References.Load(info.Name).Pages.Count;
            var complete = info.Requirement == ReadingRequirement.SkimHeadings
                ? ledger.HeadingsDelivered(info.Name) || ledger.AllPagesDelivered(info.Name, pages)
                : ledger.AllPagesDelivered(info.Name, pages);
            return new ReferenceSummary(info.Name, info.ModelTypes.Select(t => t.ToString()).ToList(),
                Snake(info.Requirement), info.AppliesWhen, info.Summary, pages, ledger.PagesDelivered(info.Name),
                complete);
        }).ToList();

        var text = string.Join('\n', summaries.Select(summary =>
            $"- {summary.Name} [{summary.Requirement}; {string.Join("/", summary.ModelTypes)}; {summary.Pages} "
            + $"page(s); {(summary.Complete ? "done" : "not done")}]: {summary.Summary}"
            + (summary.AppliesWhen is null ? "" : $" Required when {summary.AppliesWhen}.")));
        return ToolResults.Create(new ListReferencesResult(summaries), text);
    });

    /// <summary>read_reference.</summary>
    [McpServerTool(Name = "read_reference", Title = "Read a reference page", ReadOnly = true, Idempotent = true,
        OpenWorld = false, UseStructuredContent = true, OutputSchemaType = typeof(ReadReferenceResult))]
    [Description("Returns one page (about 12k characters, cut at headings) of a reference under references/. A file "
                 + "counts as read once every page has been returned to this session; keep calling with "
                 + "next_page until it is null. For troubleshooting, headings_only=true returns its symptom index, "
                 + "which is all a healthy run must skim. Names are plain reference names such as "
                 + "'training_args'; see list_references.")]
    public CallToolResult ReadReference(
        McpServer server,
        [Description("Reference name, e.g. 'losses_sentence_transformer' (the '.md' suffix is optional).")]
        string name,
        [Description("1-based page number; omit for page 1.")]
        int? page = null,
        [Description("True to get only the file's '## ' headings (how troubleshooting is skimmed).")]
        bool headings_only = false) => ToolResults.Guard(() =>
    {
        var document = skill.References.Load(name);
        var info = document.Info;
        var ledger = skill.Ledgers.For(SessionKeys.For(server));
        var pageCount = document.Pages.Count;
        var showHeadings = headings_only || info.Name == TroubleshootingIndex.ReferenceName;

        if (headings_only)
        {
            ledger.RecordHeadings(info.Name);
            var complete = info.Requirement == ReadingRequirement.SkimHeadings
                           || ledger.AllPagesDelivered(info.Name, pageCount);
            var list = string.Join('\n', document.Headings.Select(heading => $"- {heading}"));
            return ToolResults.Create(
                new ReadReferenceResult(info.Name, "", 0, pageCount, 1, document.Headings, complete),
                $"Headings of {info.Name} ({pageCount} page(s)):\n{list}");
        }

        var number = page ?? 1;
        if (number < 1 || number > pageCount)
        {
            throw new SkillException(
                $"Page {number} does not exist: '{info.Name}' has {pageCount} page(s), numbered 1 to {pageCount}.");
        }

        ledger.RecordPage(info.Name, number, pageCount);
        if (showHeadings)
        {
            ledger.RecordHeadings(info.Name);
        }

        var done = info.Requirement == ReadingRequirement.SkimHeadings
            ? ledger.HeadingsDelivered(info.Name)
            : ledger.AllPagesDelivered(info.Name, pageCount);
        int? next = number < pageCount ? number + 1 : null;
        var text = new StringBuilder();
        text.AppendLine($"[{info.Name}.md, page {number} of {pageCount}]");
        if (showHeadings)
        {
            text.AppendLine("Symptom index: " + string.Join(" | ", document.Headings));
        }

        text.AppendLine();
        text.Append(document.Pages[number - 1].TrimEnd());
        text.AppendLine();
        text.AppendLine();
        text.Append(next is { } following
            ? $"[continues: read_reference(name: \"{info.Name}\", page: {following})]"
            : $"[end of {info.Name}.md]");
        logger.LogInformation("read_reference {Name} page {Page}/{Pages}", info.Name, number, pageCount);
        return ToolResults.Create(
            new ReadReferenceResult(info.Name, document.Pages[number - 1], number, pageCount, next,
                showHeadings ? document.Headings : null, done),
            text.ToString());
    });

    /// <summary>list_templates.</summary>
    [McpServerTool(Name = "list_templates", Title = "List the run-spec templates", ReadOnly = true,
        Idempotent = true, OpenWorld = false, UseStructuredContent = true,
        OutputSchemaType = typeof(ListTemplatesResult))]
    [Description("Lists the run-spec templates: model type, variant, whether this build can run it (and why not), "
                 + "and when to pick it. Give a name to also get that template's YAML with its comments.")]
    public CallToolResult ListTemplates(
        [Description("Optional template name whose YAML text to include, e.g. 'sentence_transformer'.")]
        string? name = null) => ToolResults.Guard(() =>
    {
        var summaries = TemplateRegistry.All.Select(Summarize).ToList();
        string? yaml = null;
        if (!string.IsNullOrWhiteSpace(name))
        {
            yaml = skill.Templates.ReadText(TemplateLibrary.Resolve(name));
        }

        var text = string.Join('\n', summaries.Select(summary =>
            $"- {summary.Name} [{summary.ModelType}/{summary.Variant}{(summary.IsDefault ? ", default" : "")}] "
            + (summary.Available ? summary.Summary : $"UNAVAILABLE: {summary.UnavailableReason}")));
        if (yaml is not null)
        {
            text += $"\n\n{name}.yaml:\n{yaml}";
        }

        return ToolResults.Create(new ListTemplatesResult(summaries, yaml), text);
    });

    /// <summary>scaffold_from_template.</summary>
    [McpServerTool(Name = "scaffold_from_template", Title = "Scaffold a run spec", Destructive = false,
        Idempotent = true, OpenWorld = false, UseStructuredContent = true,
        OutputSchemaType = typeof(ScaffoldResult))]
    [Description("Writes runs/{run_name}/spec.yaml from a template, with overrides applied. Refuses until this "
                 + "session has read every required reference for the template's model type (it names each one "
                 + "still unread), and refuses templates this build cannot run. Next step: smoke_test.")]
    public CallToolResult ScaffoldFromTemplate(
        McpServer server,
        [Description("Template name from identify_model_type or list_templates, e.g. 'sentence_transformer'.")]
        string template,
        [Description("Run name: letters, digits, '.', '_' and '-' only, e.g. 'minilm-support-v1'.")]
        string run_name,
        [Description("Values to change, keyed by dotted spec path: {\"model.id\": \"...\", \"data.train.path\": "
                     + "\"data/train.jsonl\", \"training.learning_rate\": 3e-5, \"evaluators.0.name\": \"dev\"}.")]
        Dictionary<string, JsonElement>? overrides = null) => ToolResults.Guard(() =>
    {
        var info = TemplateLibrary.Resolve(template);
        if (!info.Available)
        {
            var alternatives = TemplateRegistry.For(info.ModelType).Where(other => other.Available)
                .Select(other => other.Name).ToList();
            throw new SkillException($"Template '{info.Name}' is refused. {info.UnavailableReason} "
                + (alternatives.Count == 0
                    ? $"No {info.ModelType} template is available in this build."
                    : $"Available {info.ModelType} templates: {string.Join(", ", alternatives)}."));
        }

        var runName = RunNames.Validate(run_name);
        var ledger = skill.Ledgers.For(SessionKeys.For(server));
        RefuseUnread(skill.Gate.Unread(ledger, info.ModelType), $"scaffold a {info.ModelType} run");

        var scaffolded = SpecScaffolder.Scaffold(skill.Templates.ReadText(info), info.Name, runName, overrides);
        RefuseUnread(skill.Gate.Unread(ledger, info.ModelType, SpecChecks.Applicability(scaffolded.Document)),
            $"scaffold this {info.ModelType} run");

        var existing = skill.Runs.Snapshot(runName);
        if (existing.Status is RunStatus.Running or RunStatus.Finished)
        {
            throw new SkillException(
                $"Run '{runName}' is {Snake(existing.Status)}; its spec is not replaced. Scaffold a new run_name "
                + "for a new experiment (logs/experiments.md keeps one row per run).");
        }

        var specPath = skill.Workspace.SpecPath(runName);
        var (validation, validatorWarnings) = SpecValidation.Check(scaffolded.Text, specPath, skill.Workspace.Root);
        var problems = validation
            .Concat(SpecPathGuard.Escapes(scaffolded.Text, specPath, skill.Workspace.Boundary)).ToList();
        if (problems.Count > 0)
        {
            throw new SkillException(
                $"Refused: the spec built from '{info.Name}' with these overrides would be rejected by the trainer:\n"
                + string.Join('\n', problems.Select(problem => "- " + problem))
                + "\nChange the overrides and scaffold again.");
        }

        var warnings = scaffolded.Warnings
            .Concat(validatorWarnings)
            .Concat(SpecChecks.Warnings(scaffolded.Document, Path.GetDirectoryName(specPath)!, skill.Workspace.Root))
            .ToList();
        if (existing.Status != RunStatus.Unknown)
        {
            warnings.Add($"runs/{runName}/spec.yaml existed and was replaced; smoke-test the new version.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(specPath)!);
        File.WriteAllText(specPath, scaffolded.Text);
        RunJson.Write(skill.Workspace.ScaffoldRecordPath(runName),
            new ScaffoldRecord(info.Name, info.ModelType.ToString(), DateTimeOffset.UtcNow));
        var hash = SpecHash.Compute(specPath);
        logger.LogInformation("Scaffolded {Run} from {Template} ({Hash})", runName, info.Name, hash);

        var result = new ScaffoldResult(runName, skill.Workspace.Display(specPath), scaffolded.Text, warnings,
            info.Name, info.ModelType.ToString(), hash);
        var text = new StringBuilder();
        text.AppendLine($"Wrote {result.SpecPath} from template {info.Name} ({info.ModelType}).");
        foreach (var warning in warnings)
        {
            text.AppendLine($"Warning: {warning}");
        }

        text.AppendLine($"Next: smoke_test(run_name: \"{runName}\"). Editing the spec afterwards needs a new smoke "
                        + "test before train.");
        text.AppendLine();
        text.Append(scaffolded.Text);
        return ToolResults.Create(result, text.ToString());
    });

    /// <summary>Throws the refusal that names every unread reference, when any is unread.</summary>
    public static void RefuseUnread(IReadOnlyList<UnreadReference> unread, string action)
    {
        if (unread.Count == 0)
        {
            return;
        }

        throw new SkillException(
            $"Refused: read the required references before you {action}. Still unread in this session:\n"
            + string.Join('\n', unread.Select(entry => "- " + entry.Describe()))
            + "\nRead each with read_reference(name, page) until next_page is null.");
    }

    /// <summary>A template as it appears in tool results.</summary>
    public static TemplateSummary Summarize(TemplateInfo info) => new(info.Name, info.ModelType.ToString(),
        info.Variant, info.Available, info.UnavailableReason, info.Summary, info.IsDefault);

    /// <summary>An enum value in snake_case (SmokePassed → smoke_passed).</summary>
    public static string Snake<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
