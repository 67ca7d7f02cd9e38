using StTrain.Core.Data;
using StTrain.Core.Losses;
using StTrain.Core.Training.Spec;

namespace StTrain.Core.Evaluation;

/// <summary>
/// What a run-spec validator needs to know about an evaluator: the data files it reads (by role), its parameters,
/// its primary metric, and how to build it from loaded data.
/// </summary>
public sealed record EvaluatorInfo
{
    /// <summary>The class name, as sentence-transformers spells it.</summary>
    public required string Name { get; init; }

    public string ModelType { get; init; } = "SentenceTransformer";

    public required string Summary { get; init; }

    /// <summary>The data it needs, in words.</summary>
    public required string DataDescription { get; init; }

    public required IReadOnlyList<EvaluatorDataRole> DataRoles { get; init; }

    /// <summary>Task words (retrieval, similarity, ...) for references and tool descriptions.</summary>
    public string Task { get; init; } = "";

    /// <summary>The primary metric (unprefixed) for default parameters and a cosine model: "cosine_ndcg@10".</summary>
    public required string PrimaryMetric { get; init; }

    /// <summary>How the primary metric follows from the parameters, in words.</summary>
    public required string PrimaryMetricRule { get; init; }

    public IReadOnlyList<LossParameterInfo> Parameters { get; init; } = [];

    /// <summary>Extra check of which roles were given (null when fine), for alternatives such as IR's.</summary>
    internal Func<IReadOnlyCollection<string>, IEnumerable<EvaluatorFinding>>? RoleCheck { get; init; }

    internal Func<EvaluatorContext, SentenceEvaluator> Factory { get; init; } =
        _ => throw new InvalidOperationException("This EvaluatorInfo has no factory.");

    /// <summary>
    /// Builds the evaluator on one-row stand-in data, to learn its metric keys without reading files; null when
    /// that is impossible or wasteful (evaluators built from in-process objects), and then only the primary key is
    /// known.
    /// </summary>
    internal Func<string, EvaluatorParameters, string, SentenceEvaluator?>? StandIn { get; init; }

    /// <summary>
    /// The keys (name-prefixed, without "eval_") a spec entry will produce, known without its data files, for a
    /// model whose similarity function is <paramref name="modelSimilarity"/>. Throws ArgumentException on bad
    /// parameters.
    /// </summary>
    public IReadOnlyList<string> MetricKeys(EvaluatorSpec spec, string modelSimilarity = SimilarityFunctions.Cosine) =>
        MetricKeys(spec.Name, new EvaluatorParameters(spec.Params, $"evaluator {Name} '{spec.Name}'"), modelSimilarity);

    /// <summary>The keys an evaluator named <paramref name="name"/> with these parameters will produce.</summary>
    public IReadOnlyList<string> MetricKeys(string name, EvaluatorParameters parameters,
        string modelSimilarity = SimilarityFunctions.Cosine)
    {
        IReadOnlyList<string> errors = ValidateParameters(parameters);
        if (errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, errors));
        SentenceEvaluator? standIn = StandIn?.Invoke(name ?? string.Empty, parameters, modelSimilarity);
        if (standIn is not null) return standIn.MetricKeys;
        // Without a stand-in only the primary key is known; SequentialEvaluator's key is never prefixed.
        bool prefixed = !string.IsNullOrEmpty(name) && Name != nameof(SequentialEvaluator);
        return [prefixed ? $"{name}_{PrimaryMetric}" : PrimaryMetric];
    }

    /// <summary>
    /// Builds the evaluator from loaded data (role → dataset). <paramref name="modelSimilarity"/> is the model's
    /// similarity function, which sets the default metric keys.
    /// </summary>
    public SentenceEvaluator Create(string name, IReadOnlyDictionary<string, TabularDataset> data,
        EvaluatorParameters? parameters = null, string modelSimilarity = SimilarityFunctions.Cosine)
    {
        EvaluatorParameters owned = (parameters ?? EvaluatorParameters.Empty)
            .WithOwner($"evaluator {Name} '{name}'");
        var errors = ValidateParameters(owned).Concat(CheckRoles(data.Keys.ToList())).ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, errors));
        return Factory(new EvaluatorContext(Name, name ?? string.Empty, data, owned, modelSimilarity));
    }

    /// <summary>Unknown roles, missing required roles, and invalid combinations. Empty when fine.</summary>
    public IReadOnlyList<string> CheckRoles(IReadOnlyCollection<string> roles) =>
        RoleFindings(roles).Select(f => f.Message).ToList();

    /// <summary><see cref="CheckRoles"/> with the field ("data.{role}") each problem belongs to.</summary>
    public IReadOnlyList<EvaluatorFinding> RoleFindings(IReadOnlyCollection<string> roles)
    {
        var findings = new List<EvaluatorFinding>();
        var known = DataRoles.Select(r => r.Role).ToHashSet(StringComparer.Ordinal);
        foreach (string role in roles.Where(r => !known.Contains(r)))
        {
            string roleList = string.Join("; ", DataRoles.Select(r => $"{r.Role} ({r.Columns})"));
            findings.Add(new($"data.{role}",
                $"evaluator {Name} reads no '{role}' file. Fix: use its data roles: {roleList}."));
        }

        foreach (EvaluatorDataRole role in DataRoles.Where(r => r.Required && !roles.Contains(r.Role)))
        {
            findings.Add(new($"data.{role.Role}", $"evaluator {Name} needs a '{role.Role}' file. Fix: add " +
                                                  $"'{role.Role}: <file>' under data: ({role.Columns})."));
        }

        if (findings.Count == 0 && RoleCheck is not null) findings.AddRange(RoleCheck(roles));
        return findings;
    }

    /// <summary>Unknown parameter names, bad types and values outside the allowed set. Empty when fine.</summary>
    public IReadOnlyList<string> ValidateParameters(EvaluatorParameters parameters) =>
        ParameterFindings(parameters).Select(f => f.Message).ToList();

    /// <summary><see cref="ValidateParameters"/> with the field ("params.{name}") each problem belongs to.</summary>
    public IReadOnlyList<EvaluatorFinding> ParameterFindings(EvaluatorParameters parameters)
    {
        EvaluatorParameters p = parameters ?? EvaluatorParameters.Empty;
        var errors = new List<EvaluatorFinding>();
        var known = Parameters.ToDictionary(i => i.Name, StringComparer.Ordinal);
        foreach (string name in p.Names)
        {
            if (!known.TryGetValue(name, out LossParameterInfo? info))
            {
                errors.Add(new($"params.{name}", $"evaluator {Name} has no parameter '{name}'. Fix: remove it, or " +
                                                 $"use one of the known parameters: {string.Join(", ", known.Keys)}."));
                continue;
            }

            if (!p.Has(name)) continue;
            try
            {
                switch (info.Type)
                {
                    case "object": break;
                    case "int": p.GetInt(name, 0); break;
                    case "float": p.GetDouble(name, 0); break;
                    case "bool": p.GetBool(name, false); break;
                    case "int[]": p.GetIntList(name, null); break;
                    case "float[]": p.GetDoubleList(name, null); break;
                    case "string[]":
                        IReadOnlyList<string> items = p.GetStringList(name, null);
                        string? bad = info.AllowedValues is null
                            ? null
                            : items.FirstOrDefault(v =>
                                !info.AllowedValues.Contains(v, StringComparer.OrdinalIgnoreCase) &&
                                !SimilarityFunctions.IsKnown(v));
                        if (bad is not null)
                        {
                            string allowed = string.Join(", ", info.AllowedValues!);
                            errors.Add(new($"params.{name}",
                                $"evaluator {Name}: '{bad}' in '{name}' is not allowed. Fix: use {allowed}."));
                        }

                        break;
                    default:
                        string value = p.GetString(name, string.Empty);
                        if (info.AllowedValues is not null &&
                            !info.AllowedValues.Contains(value, StringComparer.OrdinalIgnoreCase) &&
                            !(info.AllowedValues.SequenceEqual(SimilarityFunctions.Names) &&
                              SimilarityFunctions.IsKnown(value)))
                        {
                            errors.Add(new($"params.{name}", $"evaluator {Name}: parameter '{name}' is " +
                                                             $"'{value}'. Fix: use one of " +
                                                             $"{string.Join(", ", info.AllowedValues)}."));
                        }

                        break;
                }
            }
            catch (ArgumentException e)
            {
                errors.Add(new($"params.{name}", e.Message));
            }
        }

        return errors;
    }
}
