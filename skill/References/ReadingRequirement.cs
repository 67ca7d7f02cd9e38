namespace StTrain.Skill.References;

/// <summary>When a reference must be read before a run of a given model type may be scaffolded.</summary>
public enum ReadingRequirement
{
    /// <summary>Every page must be delivered, for every run of the reference's model types.</summary>
    AlwaysRequired,

    /// <summary>Only its section headings must be delivered (troubleshooting: skimmed on every run).</summary>
    SkimHeadings,

    /// <summary>Required only when the spec needs it (see <see cref="ReferenceInfo.AppliesWhen"/>).</summary>
    WhenApplicable,
}
