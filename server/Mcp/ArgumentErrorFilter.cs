using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace StTrain.Server.Mcp;

/// <summary>
/// Turns argument-binding failures (a missing required argument, a string where a number belongs) into tool
/// errors that say what was wrong. Without it the SDK answers only "An error occurred invoking 'tool'".
/// </summary>
public static class ArgumentErrorFilter
{
    /// <summary>The call-tool filter.</summary>
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Wrap(
        McpRequestHandler<CallToolRequestParams, CallToolResult> next) => async (context, cancellationToken) =>
    {
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
            throw new McpException(
                $"Bad arguments for '{context.Params?.Name}': {detail} Check the tool's input schema.", error);
        }
    };
}
