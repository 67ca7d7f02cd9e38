using StTrain.Skill.Runs;
using StTrain.Skill.Specs;

namespace StTrain.Skill.Routing;

/// <summary>
/// The model type of an existing run: the spec's model_type when it states one, else runs/{RUN}/scaffold.json when
/// the spec was scaffolded, else read off the loss name (reranker and SPLADE losses have names of their own).
/// </summary>
public static class RunModelTypes
{
    private static readonly HashSet<string> CrossEncoderLosses = new(StringComparer.OrdinalIgnoreCase)
    {
        "BinaryCrossEntropyLoss", "CrossEntropyLoss", "LambdaLoss", "ListNetLoss", "ListMLELoss", "PListMLELoss",
        "RankNetLoss", "ADRMSELoss", "CrossEncoderMarginMSELoss", "CrossEncoderMSELoss",
    };

    /// <summary>The run's model type.</summary>
    public static ModelType Of(RunWorkspace workspace, string runName, SpecDocument spec)
    {
        if (Enum.TryParse<ModelType>(spec.GetScalar("model_type"), ignoreCase: false, out var stated))
        {
            return stated;
        }

        var record = RunJson.Read<ScaffoldRecord>(workspace.ScaffoldRecordPath(runName), out _);
        if (record is not null && Enum.TryParse<ModelType>(record.ModelType, out var recorded))
        {
            return recorded;
        }

        return FromLoss(spec.GetScalar("loss.name") ?? spec.GetScalar("loss"), spec.GetScalar("loss.wrapper.name"));
    }

    /// <summary>The type a loss (and optional wrapper) belongs to.</summary>
    public static ModelType FromLoss(string? loss, string? wrapper)
    {
        if (IsSparse(loss) || IsSparse(wrapper))
        {
            return ModelType.SparseEncoder;
        }

        return loss is not null && CrossEncoderLosses.Contains(loss) ? ModelType.CrossEncoder
            : ModelType.SentenceTransformer;
    }

    private static bool IsSparse(string? name) =>
        name is not null && (name.StartsWith("Sparse", StringComparison.OrdinalIgnoreCase)
                             || name.Contains("Splade", StringComparison.OrdinalIgnoreCase)
                             || name.Equals("FlopsLoss", StringComparison.OrdinalIgnoreCase));
}
