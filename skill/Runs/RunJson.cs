using System.Text.Json;
using System.Text.Json.Serialization;

namespace StTrain.Skill.Runs;

/// <summary>JSON settings for the run files: snake_case names, as the trainer writes result.json.</summary>
public static class RunJson
{
    /// <summary>snake_case, indented, nulls omitted.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Reads a JSON file as T, or null when it is absent; a malformed file is reported, not thrown.</summary>
    public static T? Read<T>(string path, out string? problem)
        where T : class
    {
        problem = null;
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options);
        }
        catch (Exception error) when (error is JsonException or IOException or NotSupportedException)
        {
            problem = $"{path} could not be read: {error.Message}";
            return null;
        }
    }

    /// <summary>Writes a JSON file atomically (temp file, then rename) so a reader never sees half a record.</summary>
    public static void Write<T>(string path, T value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(value, Options));
        File.Move(temporary, path, overwrite: true);
    }
}
