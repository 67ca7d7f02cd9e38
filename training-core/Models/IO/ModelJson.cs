using System.Text.Json;
using System.Text.Json.Nodes;

namespace StTrain.Core.Models.IO;

/// <summary>Reads a model folder's JSON files (config.json, modules.json, ...) with errors that name the file.</summary>
public static class ModelJson
{
    /// <summary>
    /// The file's JSON; <see cref="InvalidDataException"/> naming the file, the line and the parser's complaint when
    /// it is not JSON (a truncated download or a hand edit), so the error reads as a model problem, not a crash.
    /// </summary>
    public static JsonNode? Read(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path),
                documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException error)
        {
            string where = error.LineNumber is long line ? $" at line {line + 1}" : "";
            throw new InvalidDataException(
                $"{path} is not valid JSON{where}: {error.Message.Split(" Path:")[0].Split(" LineNumber:")[0]} " +
                "Fix: restore this file from the model's source (a partial download or an edit can break it), or " +
                "save the model again.", error);
        }
    }
}
