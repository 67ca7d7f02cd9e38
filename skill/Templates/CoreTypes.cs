using System.Reflection;
using StTrain.Core.Runtime;

namespace StTrain.Skill.Templates;

/// <summary>The public type names of the StTrain.Core assembly this build links against.</summary>
public static class CoreTypes
{
    private static readonly Lazy<(HashSet<string> Full, HashSet<string> Simple)> Names = new(() =>
    {
        Type[] types;
        try
        {
            types = typeof(TorchRuntime).Assembly.GetExportedTypes();
        }
        catch (ReflectionTypeLoadException partial)
        {
            types = partial.Types.OfType<Type>().ToArray();
        }

        return (
            types.Select(type => type.FullName ?? type.Name).ToHashSet(StringComparer.Ordinal),
            types.Select(type => type.Name).ToHashSet(StringComparer.Ordinal));
    });

    /// <summary>True when a public type has this full name (or this simple name, when no '.' is given).</summary>
    public static bool Has(string typeName) =>
        typeName.Contains('.') ? Names.Value.Full.Contains(typeName) : Names.Value.Simple.Contains(typeName);
}
