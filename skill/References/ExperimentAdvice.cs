namespace StTrain.Skill.References;

/// <summary>
/// Next-experiment proposals for a weak verdict, read from the "## Experimentation" section of training_args.md:
/// the bullets under "### After a MARGINAL verdict" and "### After a REGRESSION verdict".
/// </summary>
public static class ExperimentAdvice
{
    /// <summary>The reference the proposals come from.</summary>
    public const string ReferenceName = "training_args";

    /// <summary>The proposals for a verdict; empty for WIN or when the reference has none.</summary>
    public static IReadOnlyList<string> For(string? verdict, ReferenceLibrary library)
    {
        if (verdict is null || !(verdict.Equals("MARGINAL", StringComparison.OrdinalIgnoreCase)
                                 || verdict.Equals("REGRESSION", StringComparison.OrdinalIgnoreCase)))
        {
            return [];
        }

        var markdown = string.Concat(library.Load(ReferenceName).Pages);
        return Parse(markdown, verdict.ToUpperInvariant());
    }

    /// <summary>The bullets under "### After a {VERDICT} verdict" inside "## Experimentation".</summary>
    public static IReadOnlyList<string> Parse(string markdown, string verdict)
    {
        var section = MarkdownSections.Section(markdown, "Experimentation");
        var subsection = section is null ? null : MarkdownSections.Section(section, $"After a {verdict} verdict", 3);
        if (subsection is null)
        {
            return [];
        }

        // Bullets may wrap onto indented continuation lines.
        var bullets = new List<string>();
        foreach (var line in subsection.Split('\n'))
        {
            if (line.StartsWith("- ", StringComparison.Ordinal))
            {
                bullets.Add(line[2..].Trim());
            }
            else if (bullets.Count > 0 && line.StartsWith("  ", StringComparison.Ordinal) && line.Trim().Length > 0)
            {
                bullets[^1] += " " + line.Trim();
            }
        }

        return bullets;
    }
}
