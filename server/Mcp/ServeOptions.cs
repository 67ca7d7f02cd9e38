namespace StTrain.Server.Mcp;

/// <summary>Options of `st-train serve`.</summary>
/// <param name="Workspace">Folder for runs/ and logs/ (default: the current directory).</param>
public sealed record ServeOptions(string? Workspace)
{
    /// <summary>The usage line printed for bad arguments.</summary>
    public const string Usage = "usage: st-train serve [--workspace DIR]";

    /// <summary>Parses the arguments after "serve"; <see cref="ArgumentException"/> with the usage if wrong.</summary>
    public static ServeOptions Parse(IReadOnlyList<string> args)
    {
        string? workspace = null;
        for (var index = 0; index < args.Count; index++)
        {
            switch (args[index])
            {
                case "--workspace" when index + 1 < args.Count:
                    workspace = args[++index];
                    break;
                case "-h" or "--help":
                    throw new ArgumentException(Usage);
                default:
                    throw new ArgumentException($"Unknown argument '{args[index]}'. {Usage}");
            }
        }

        return new ServeOptions(workspace);
    }
}
