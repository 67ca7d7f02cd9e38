using System.Text.Json;

namespace StTrain.Skill.Specs;

/// <summary>
/// Turns a template into a run spec: sets run_name, applies overrides (dotted path → JSON value) keeping the
/// template's comments wherever a line edit can do it, and checks that each value reads back as given.
/// </summary>
public static class SpecScaffolder
{
    /// <summary>Builds the spec; <see cref="SkillException"/> for a bad override or a non-YAML template.</summary>
    public static ScaffoldedSpec Scaffold(
        string templateText, string templateName, string runName, IReadOnlyDictionary<string, JsonElement>? overrides)
    {
        SpecDocument.Parse(templateText, $"template '{templateName}'");
        var warnings = new List<string>();
        var edits = new List<(SpecPath Path, JsonElement Value)>
        {
            (SpecPath.Parse("run_name"), JsonSerializer.SerializeToElement(runName)),
        };

        foreach (var (key, value) in overrides ?? new Dictionary<string, JsonElement>())
        {
            var path = SpecPath.Parse(key);
            if (path.Text.Trim() == "run_name")
            {
                if (value.ValueKind != JsonValueKind.String || value.GetString() != runName)
                {
                    throw new SkillException(
                        $"Override 'run_name' ({value.GetRawText()}) differs from the run_name argument '{runName}'. "
                        + "Drop the override: the run_name argument names the run.");
                }

                continue;
            }

            edits.Add((path, value));
        }

        var text = templateText;
        foreach (var (path, value) in edits)
        {
            text = Apply(text, path, value, warnings);
        }

        return new ScaffoldedSpec(text, SpecDocument.Parse(text, "the scaffolded spec"), warnings);
    }

    private static string Apply(string text, SpecPath path, JsonElement value, List<string> warnings)
    {
        // A line edit keeps comments; it is accepted only if the result parses and reads back the intended value.
        var edited = SpecLineEditor.TrySet(text, path, value);
        if (edited is not null && ReadsBack(edited, path, value))
        {
            return edited;
        }

        var document = SpecDocument.Parse(text, "the spec being scaffolded");
        document.Set(path, value);
        var rewritten = document.Serialize();
        if (!ReadsBack(rewritten, path, value))
        {
            throw new SkillException(
                $"Override '{path}' = {value.GetRawText()} could not be applied so that it reads back unchanged.");
        }

        warnings.Add(
            $"Override '{path}' needed a structural edit, so the template's comments were dropped from the spec; "
            + "read the template's comments with list_templates if you need them.");
        return rewritten;
    }

    private static bool ReadsBack(string text, SpecPath path, JsonElement value)
    {
        try
        {
            return SpecDocument.SameValue(SpecDocument.Parse(text, "spec").Get(path), value);
        }
        catch (SkillException)
        {
            return false;
        }
    }
}
