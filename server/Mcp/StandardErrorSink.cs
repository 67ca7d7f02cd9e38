using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace StTrain.Server.Mcp;

/// <summary>Writes Serilog events to stderr: in serve mode stdout belongs to JSON-RPC alone.</summary>
public sealed class StandardErrorSink(ITextFormatter formatter) : ILogEventSink
{
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            formatter.Format(logEvent, Console.Error);
            Console.Error.Flush();
        }
    }
}
