using System.Globalization;
using StTrain.Core.Training.Spec;
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

    /// <summary>
    /// Warnings for missing sections and for data files that do not exist. Relative paths in a spec are resolved by
    /// the trainer's own rule (<see cref="RunSpec.ResolvePath"/>): beside the spec (<paramref name="specDirectory"/>)
    /// first, then from <paramref name="workspaceRoot"/>; a file is reported only when neither place has it.
    /// </summary>
    public static IReadOnlyList<string> Warnings(SpecDocument spec, string specDirectory, string workspaceRoot)
    {
        var warnings = new List<string>();
        foreach (var path in RequiredScalars)
        {
            var present = !string.IsNullOrWhiteSpace(spec.GetScalar(path))
                          || path == "data.train.path" && HasNamedDatasets(spec)
                          || path == "loss.name" && !string.IsNullOrWhiteSpace(spec.GetScalar("loss"));
            if (!present)
            {
                warnings.Add($"'{path}' is missing or empty; every run spec needs it.");
            }
        }

        if (spec.Get(SpecPath.Parse("training")) is not YamlMappingNode)
        {
            warnings.Add("'training' is missing; a spec needs a training section (see training_args).");
        }

        foreach (var (field, dataPath) in DataPaths(spec))
        {
            if (File.Exists(RunSpec.ResolvePath(dataPath, specDirectory, workspaceRoot)))
            {
                continue;
            }

            var where = Path.IsPathRooted(dataPath)
                ? ""
                : $" (neither beside the spec, {Path.GetFullPath(Path.Combine(specDirectory, dataPath))}, nor from "
                  + $"the workspace root, {Path.GetFullPath(Path.Combine(workspaceRoot, dataPath))})";
            warnings.Add($"'{field}' is {dataPath}, which does not exist yet{where}; create it or override "
                         + $"'{field}' before the smoke test.");
        }

        return warnings;
    }

    // data.train.path, data.train.{name}.path for named datasets, data.eval.path and every evaluator data file.
    private static IEnumerable<(string Field, string Path)> DataPaths(SpecDocument spec)
    {
        if (spec.Get(SpecPath.Parse("data.train")) is YamlMappingNode train)
        {
            if (spec.GetScalar("data.train.path") is { } single)
            {
                yield return ("data.train.path", single);
            }
            else
            {
                foreach (var (key, value) in train.Children)
                {
                    if (value is YamlMappingNode dataset
                        && dataset.Children.TryGetValue(new YamlScalarNode("path"), out var path)
                        && path is YamlScalarNode { Value: { } text })
                    {
                        yield return ($"data.train.{key}.path", text);
                    }
                }
            }
        }

        if (spec.GetScalar("data.eval.path") is { } eval)
        {
            yield return ("data.eval.path", eval);
        }

        if (spec.Get(SpecPath.Parse("evaluators")) is YamlSequenceNode evaluators)
        {
            for (var index = 0; index < evaluators.Children.Count; index++)
            {
                if (evaluators.Children[index] is YamlMappingNode evaluator
                    && evaluator.Children.TryGetValue(new YamlScalarNode("data"), out var data)
                    && data is YamlMappingNode roles)
                {
                    foreach (var (role, value) in roles.Children)
                    {
                        if (value is YamlScalarNode { Value: { } text } && !string.IsNullOrWhiteSpace(text))
                        {
                            yield return ($"evaluators.{index}.data.{role}", text);
                        }
                    }
                }
            }
        }
    }

    private static bool HasNamedDatasets(SpecDocument spec) =>
        spec.Get(SpecPath.Parse("data.train")) is YamlMappingNode train
        && train.Children.Values.Any(value => value is YamlMappingNode);

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
