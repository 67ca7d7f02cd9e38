using StTrain.Core.Data;
using StTrain.Core.Losses;

namespace StTrain.Core.Evaluation;

/// <summary>What an evaluator factory gets: name, loaded data by role, parameters, the model's similarity.</summary>
internal sealed record EvaluatorContext(
    string Type,
    string Name,
    IReadOnlyDictionary<string, TabularDataset> Data,
    EvaluatorParameters Parameters,
    string ModelSimilarity)
{
    public bool Has(string role) => Data.ContainsKey(role);

    public TabularDataset Dataset(string role) =>
        Data.TryGetValue(role, out TabularDataset? data)
            ? data
            : throw new ArgumentException(
                $"evaluator {Type} '{Name}': data role '{role}' is missing. " +
                $"Fix: add '{role}: <file>' under its data:.");

    /// <summary>
    /// The column for <paramref name="parameter"/> (e.g. "sentence1_column"): the name the spec gives, else the
    /// first of <paramref name="candidates"/> present, else the text column at <paramref name="position"/>.
    /// </summary>
    public string Column(string role, string parameter, IReadOnlyList<string> candidates, int? position)
    {
        TabularDataset data = Dataset(role);
        string? given = Parameters.GetOptionalString(parameter);
        if (given is not null)
        {
            if (!data.HasColumn(given))
            {
                throw new ArgumentException(
                    $"evaluator {Type} '{Name}': {parameter} '{given}' is not a column of {Describe(role, data)}. " +
                    $"Columns: {string.Join(", ", data.ColumnNames)}. Fix: set {parameter} to one of them.");
            }

            return given;
        }

        string? found = candidates.FirstOrDefault(data.HasColumn);
        if (found is not null) return found;
        if (position is int p)
        {
            var textColumns = data.ColumnNames.Where(c => data.GetKind(c) == TabularColumnKind.String).ToList();
            if (p < textColumns.Count) return textColumns[p];
        }

        throw new ArgumentException(
            $"evaluator {Type} '{Name}': {Describe(role, data)} has none of the columns " +
            $"{string.Join(", ", candidates)}" +
            $" (it has {string.Join(", ", data.ColumnNames)}). Fix: set {parameter} to the right column.");
    }

    /// <summary>Like <see cref="Column"/>, but null when no candidate is present and none was given.</summary>
    public string? OptionalColumn(string role, string parameter, IReadOnlyList<string> candidates)
    {
        if (Parameters.Has(parameter)) return Column(role, parameter, candidates, null);
        TabularDataset data = Dataset(role);
        return candidates.FirstOrDefault(data.HasColumn);
    }

    /// <summary>A column whose cells are a string or a list of strings, as lists.</summary>
    public IReadOnlyList<IReadOnlyList<string>> StringOrList(string role, string column)
    {
        TabularDataset data = Dataset(role);
        return data.GetKind(column) == TabularColumnKind.List
            ? data.GetStringLists(column)
            : data.GetStrings(column).Select(s => (IReadOnlyList<string>)[s]).ToList();
    }

    public EncodingSettings Encoding(int defaultBatchSize, bool prompts = false) => new()
    {
        BatchSize = Parameters.GetInt("batch_size", defaultBatchSize),
        TruncateDim = Parameters.GetOptionalInt("truncate_dim"),
        QueryPrompt = prompts ? Parameters.GetOptionalString("query_prompt") : null,
        QueryPromptName = prompts ? Parameters.GetOptionalString("query_prompt_name") : null,
        DocumentPrompt = prompts ? Parameters.GetOptionalString("corpus_prompt") : null,
        DocumentPromptName = prompts ? Parameters.GetOptionalString("corpus_prompt_name") : null,
    };

    public IReadOnlyList<string>? SimilarityList(string parameter)
    {
        if (!Parameters.Has(parameter)) return null;
        IReadOnlyList<string> values = Parameters.GetStringList(parameter, null);
        foreach (string value in values)
        {
            if (!SimilarityFunctions.IsKnown(value))
            {
                throw new ArgumentException($"evaluator {Type} '{Name}': '{value}' in {parameter} is not a " +
                                            "similarity function. Fix: use " +
                                            $"{string.Join(", ", SimilarityFunctions.Names)}.");
            }
        }

        return values;
    }

    private static string Describe(string role, TabularDataset data) =>
        data.SourcePath is null ? $"the '{role}' data" : $"the '{role}' data ({data.SourcePath})";
}
