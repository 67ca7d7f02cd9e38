using System.Globalization;
using StTrain.Skill.References;
using YamlDotNet.RepresentationModel;

namespace StTrain.Skill.Specs;

/// <summary>
/// Checks on a run spec that need no training code: the sections every spec has, data files that exist, and which
/// when-applicable references the spec makes required. Full validation (loss/data shape, metric keys) is the
/// trainer's RunSpecValidator.
/// </summary>
public static class SpecChecks
{
    private static readonly string[] RequiredScalars = ["run_name", "model.id", "data.train.path", "loss.name"];

    /// <summary>Warnings for missing sections and data files (paths relative to <paramref name="workspaceRoot"/>).</summary>
    public static IReadOnlyList<string> Warnings(SpecDocument spec, string workspaceRoot)
    {
        var warnings = new List<string>();
        foreach (var path in RequiredScalars)
        {
            if (string.IsNullOrWhiteSpace(spec.GetScalar(path)))
            {
                warnings.Add($"'{path}' is missing or empty; every run spec needs it.");
            }
        }

        if (spec.Get(SpecPath.Parse("training")) is not YamlMappingNode)
        {
            warnings.Add("'training' is missing; a spec needs a training section (see training_args).");
        }

        foreach (var section in new[] { "data.train.path", "data.eval.path" })
        {
            var dataPath = spec.GetScalar(section);
            if (!string.IsNullOrWhiteSpace(dataPath))
            {
                var full = Path.IsPathRooted(dataPath) ? dataPath : Path.Combine(workspaceRoot, dataPath);
                if (!File.Exists(full))
                {
                    warnings.Add($"'{section}' points at {dataPath}, which does not exist yet (relative to "
                                 + $"{workspaceRoot}); create it or override '{section}' before the smoke test.");
                }
            }
        }

        return warnings;
    }

    /// <summary>
    /// For each when-applicable reference, the reason this spec makes it required, or null when it does not.
    /// </summary>
    public static Func<ReferenceInfo, string?> Applicability(SpecDocument spec) => info => info.Name switch
    {
        "prompts_and_instructions" when HasContent(spec.Get(SpecPath.Parse("model.prompts")))
            => "the spec sets model.prompts",
        "hardware_guide" when Number(spec, "training.per_device_train_batch_size") > 64
            => "training.per_device_train_batch_size is above 64",
        "hardware_guide" when Number(spec, "model.max_seq_length") > 256
            => "model.max_seq_length is above 256",
        "remote_execution" when string.Equals(spec.GetScalar("hub.push"), "true", StringComparison.OrdinalIgnoreCase)
            => "hub.push is true",
        _ => null,
    };

    private static bool HasContent(YamlNode? node) => node switch
    {
        YamlMappingNode mapping => mapping.Children.Count > 0,
        YamlSequenceNode sequence => sequence.Children.Count > 0,
        YamlScalarNode scalar => !string.IsNullOrWhiteSpace(scalar.Value) && scalar.Value is not ("null" or "~"),
        _ => false,
    };

    private static double Number(SpecDocument spec, string path) =>
        double.TryParse(spec.GetScalar(path), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : 0;
}
