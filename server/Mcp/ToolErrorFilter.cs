using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace StTrain.Server.Mcp;

/// <summary>
/// Turns every failure of a tool call into a tool error result (isError: true) whose text says what was wrong, and
/// keeps the log readable:
/// <list type="bullet">
/// <item>argument-binding failures (a missing required argument, a string where a number belongs) name the argument
/// and point at the input schema; without this the SDK answers only a generic "An error occurred invoking".</item>
/// <item>refusals (<see cref="McpException"/>, raised by <see cref="ToolResults.Guard{T}"/> from the skill's
/// checks) are ordinary answers: one warning line in the log, no stack trace.</item>
/// <item>anything else is a bug in st-train: the client gets its message and the log gets the stack trace.</item>
/// </list>
/// The server keeps serving after any of them.
/// </summary>
public static partial class ToolErrorFilter
{
    /// <summary>The call-tool filter.</summary>
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Wrap(
        McpRequestHandler<CallToolRequestParams, CallToolResult> next) => async (context, cancellationToken) =>
    {
        string tool = context.Params?.Name ?? "(unnamed)";
        try
        {
            return await next(context, cancellationToken);
        }
        catch (Exception error) when (error is ArgumentException or JsonException or FormatException
                                          or InvalidOperationException { InnerException: JsonException })
        {
            var detail = error is ArgumentException argument && argument.ParamName is not null
                ? argument.Message.Replace($" (Parameter '{argument.ParamName}')", "", StringComparison.Ordinal)
                : error.Message;
            string text = $"Bad arguments for '{tool}': {detail} Check the tool's input schema.";
            Logger(context)?.LogWarning("Tool {Tool} refused: {Reason}", tool, FirstLine(text));
            return Failure(text);
        }
        catch (McpException refusal) when (!cancellationToken.IsCancellationRequested)
        {
            Logger(context)?.LogWarning("Tool {Tool} refused: {Reason}", tool, FirstLine(refusal.Message));
            return Failure(refusal.Message);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            Logger(context)?.LogError(error, "Tool {Tool} failed unexpectedly", tool);
            return Failure(
                $"'{tool}' failed unexpectedly: {error.Message} This is a fault in st-train, not in your call; the "
                + "server log (logs/st-train-serve-*.log in the workspace) has the details. The server is still "
                + "serving.");
        }
    };

    private static CallToolResult Failure(string text) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = ShortenEchoes(text) }],
    };

    /// <summary>
    /// Messages quote the value that was wrong; a client that sent a megabyte-long name gets the start of it back,
    /// with its length, rather than the whole value again.
    /// </summary>
    public static string ShortenEchoes(string text) => LongToken().Replace(text, match =>
        $"{match.Value[..80]}…({match.Length:N0} characters)");

    [System.Text.RegularExpressions.GeneratedRegex(@"\S{241,}")]
    private static partial System.Text.RegularExpressions.Regex LongToken();

    private static ILogger? Logger(RequestContext<CallToolRequestParams> context) =>
        context.Services?.GetService<ILoggerFactory>()?.CreateLogger("StTrain.Server.Mcp.Tools");

    private static string FirstLine(string text)
    {
        int end = text.IndexOf('\n');
        return end < 0 ? text : text[..end] + " …";
    }
}
