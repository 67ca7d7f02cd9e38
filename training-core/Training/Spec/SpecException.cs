namespace StTrain.Core.Training.Spec;

/// <summary>A run-spec problem: which field, where, what is wrong and how to fix it.</summary>
public sealed class SpecException : Exception
{
    public string Field { get; }
    public string Location { get; }
    public string Problem { get; }
    public string Fix { get; }

    public SpecException(string field, string location, string problem, string fix)
        : base($"{location}: {field}: {problem}. Fix: {fix}.")
    {
        Field = field;
        Location = location;
        Problem = problem;
        Fix = fix;
    }

    public SpecError ToError() => new(Field, Location, Problem, Fix);
}

/// <summary>One validation finding, as reported by the CLI and the MCP tools.</summary>
public sealed record SpecError(string Field, string Location, string Problem, string Fix)
{
    public override string ToString() => $"{Location}: {Field}: {Problem}. Fix: {Fix}.";
}
