using System.Globalization;
using System.Text;
using StTrain.Core.Data;
using StTrain.Core.Models;

namespace StTrain.Server.Commands;

/// <summary>`st-train encode`: one text per input line in, one JSON array of floats per output line out.</summary>
public static class EncodeCommand
{
    public const string Usage =
        "st-train encode --model ID_OR_PATH --input FILE --output FILE.jsonl [--batch-size N] [--prompt-name NAME] " +
        "[--prompt TEXT] [--normalize] [--truncate-dim N]";

    public static int Run(string[] args)
    {
        var cli = new CommandLine(args, new HashSet<string> { "normalize" });
        string modelId = cli.Require("model", "a model folder or id, e.g. sentence-transformers/all-MiniLM-L6-v2");
        string input = cli.Require("input", "a text file with one text per line");
        string output = cli.Require("output", "where to write the embeddings (JSONL)");
        var options = new EncodeOptions
        {
            BatchSize = cli.GetInt("batch-size", 32),
            PromptName = cli.Get("prompt-name"),
            Prompt = cli.Get("prompt"),
            Normalize = cli.Flag("normalize"),
            TruncateDim = cli.Get("truncate-dim") is { } t ? cli.GetInt("truncate-dim", 0) : null,
        };
        cli.RejectUnknown();
        if (Directory.Exists(input))
            throw new UsageException($"--input '{input}' is a folder; give a text file with one text per line.");
        if (!File.Exists(input)) throw new UsageException($"--input '{input}' does not exist.");
        if (Directory.Exists(output))
            throw new UsageException($"--output '{output}' is a folder; give a file path such as " +
                                     $"{Path.Combine(output, "embeddings.jsonl")}.");
        if (FilePaths.OverwritesInput(input, "--input", output, "--output") is { } overwrite)
            throw new UsageException(overwrite);

        var texts = Utf8TextFile.ReadAllLines(input);
        if (texts.Length == 0)
            throw new UsageException($"--input '{input}' is empty, so there is nothing to encode. Fix: write one " +
                                     "text per line into it.");
        CreateParentFolder(output);
        using var model = CommandModels.LoadSentenceTransformer(modelId);
        var embeddings = model.Encode(texts, options);

        using var writer = new StreamWriter(output, false, new UTF8Encoding(false));
        var line = new StringBuilder();
        foreach (var vector in embeddings)
        {
            line.Clear().Append('[');
            for (int i = 0; i < vector.Length; i++)
            {
                if (i > 0) line.Append(',');
                line.Append(vector[i].ToString("R", CultureInfo.InvariantCulture));
            }
            writer.WriteLine(line.Append(']'));
        }
        int dimensions = embeddings.Length > 0 ? embeddings[0].Length : options.TruncateDim ?? model.EmbeddingDimension;
        Console.Error.WriteLine($"Encoded {texts.Length} texts with {modelId} " +
                                $"({dimensions} dimensions) into {output}.");
        return 0;
    }

    /// <summary>Creates the folder <paramref name="output"/> goes into, or says in one line why it cannot.</summary>
    private static void CreateParentFolder(string output)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(output));
        if (folder is null || Directory.Exists(folder)) return;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--output '{output}': its folder {folder} does not exist and cannot be created " +
                                     $"({error.Message.TrimEnd('.')}). Fix: give a path in a folder you can write to.");
        }
    }
}
