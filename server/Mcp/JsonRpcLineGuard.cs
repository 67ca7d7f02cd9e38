using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace StTrain.Server.Mcp;

/// <summary>
/// The stdio framing around the MCP transport. The transport reads one JSON message per line and, on a line that is
/// not JSON, only logs a parse failure: the sender never learns what happened. This guard sits in between:
/// <list type="bullet">
/// <item><see cref="Input"/> passes every JSON-RPC message line to the transport unchanged; it answers a non-blank
/// line that is not JSON itself with the parse error (-32700, id null), and JSON that is not a JSON-RPC message (a bare
/// string, no "method", "jsonrpc" not "2.0") with the invalid-request error (-32600, with the line's id when it has
/// one), naming the line and what is wrong;</item>
/// <item><see cref="Output"/> writes whole lines only, under one lock shared with those error replies, so a reply
/// never lands inside another message.</item>
/// <item>when stdin ends, the transport sees the end only after every request read so far has been answered (or
/// cancelled), up to <see cref="DrainLimit"/>: a script that pipes a file of requests gets all its replies instead
/// of a shutdown that drops the ones still running.</item>
/// </list>
/// </summary>
public sealed class JsonRpcLineGuard
{
    private const int ParseErrorCode = -32700;
    private const int InvalidRequestCode = -32600;
    private const int InvalidParamsCode = -32602;
    private readonly Stream stdin;
    private readonly Stream stdout;
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly ILogger? logger;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> unanswered = new();
    private long lineNumber;

    /// <summary>How long the end of stdin waits for unanswered requests before the session closes anyway.</summary>
    public TimeSpan DrainLimit { get; init; } = TimeSpan.FromMinutes(15);

    public JsonRpcLineGuard(Stream stdin, Stream stdout, ILogger? logger = null)
    {
        this.stdin = stdin;
        this.stdout = stdout;
        this.logger = logger;
        Input = new FilteredInput(this);
        Output = new LineOutput(this);
    }

    /// <summary>What the transport reads: only lines that are JSON.</summary>
    public Stream Input { get; }

    /// <summary>What the transport writes to: stdout, a whole line at a time.</summary>
    public Stream Output { get; }

    /// <summary>Requests read (id, as raw JSON) that have no reply yet.</summary>
    public IReadOnlyCollection<string> Unanswered => unanswered.Keys.ToArray();

    /// <summary>Notes the requests in an incoming line, and the ones a cancellation notice withdraws.</summary>
    private void TrackIncoming(ReadOnlySpan<byte> line)
    {
        try
        {
            using var document = JsonDocument.Parse(line.ToArray());
            foreach (var message in Messages(document.RootElement))
            {
                if (!message.TryGetProperty("method", out var method)) continue;
                if (message.TryGetProperty("id", out var id) && id.ValueKind is JsonValueKind.String
                        or JsonValueKind.Number)
                    unanswered.TryAdd(IdKey(id), 0);
                else if (method.ValueKind == JsonValueKind.String && method.GetString() == "notifications/cancelled"
                         && message.TryGetProperty("params", out var parameters)
                         && parameters.ValueKind == JsonValueKind.Object
                         && parameters.TryGetProperty("requestId", out var withdrawn))
                    unanswered.TryRemove(IdKey(withdrawn), out _);
            }
        }
        catch (JsonException)
        {
            // Only lines that parsed get here; a line the tracker cannot read is simply not tracked.
        }
    }

    /// <summary>Crosses off the requests an outgoing line answers.</summary>
    private void TrackOutgoing(ReadOnlySpan<byte> lines)
    {
        foreach (var range in lines.Split((byte)'\n'))
        {
            var line = lines[range];
            if (line.IsEmpty || unanswered.IsEmpty) continue;
            try
            {
                using var document = JsonDocument.Parse(line.ToArray());
                foreach (var message in Messages(document.RootElement))
                    if (!message.TryGetProperty("method", out _) && message.TryGetProperty("id", out var id))
                        unanswered.TryRemove(IdKey(id), out _);
            }
            catch (JsonException)
            {
                // Not ours to judge: the transport wrote it.
            }
        }
    }

    /// <summary>One spelling per id, so -0 and 0, or 1e0 and 1, are the same request when the reply comes back.</summary>
    private static string IdKey(JsonElement id) =>
        id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out long number)
            ? number.ToString(CultureInfo.InvariantCulture)
            : id.GetRawText();

    /// <summary>Whether an id is one this server can echo: a string, or an integer that fits 64 bits.</summary>
    private static bool UsableId(JsonElement id) =>
        id.ValueKind == JsonValueKind.String || id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out _);

    private static IEnumerable<JsonElement> Messages(JsonElement root) => root.ValueKind switch
    {
        JsonValueKind.Object => [root],
        JsonValueKind.Array => root.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).ToArray(),
        _ => [],
    };

    /// <summary>At the end of stdin: waits until every request read has been answered, or the drain limit passes.</summary>
    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        if (unanswered.IsEmpty) return;
        logger?.LogInformation("stdin closed with {Count} request(s) still running; answering them before closing",
            unanswered.Count);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!unanswered.IsEmpty && clock.Elapsed < DrainLimit && !cancellationToken.IsCancellationRequested)
            await Task.Delay(50, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        if (!unanswered.IsEmpty)
            logger?.LogWarning("closing with {Count} request(s) unanswered after {Seconds:0} s: {Ids}",
                unanswered.Count, clock.Elapsed.TotalSeconds, string.Join(", ", unanswered.Keys));
    }

    private async Task WriteLineAsync(ReadOnlyMemory<byte> line, CancellationToken cancellationToken)
    {
        await writeLock.WaitAsync(cancellationToken);
        try
        {
            await stdout.WriteAsync(line, cancellationToken);
            await stdout.FlushAsync(cancellationToken);
        }
        finally
        {
            writeLock.Release();
        }
    }

    /// <summary>Null when <paramref name="line"/> (without its newline) is JSON or blank, else the parse error.</summary>
    private static string? ParseProblem(ReadOnlySpan<byte> line)
    {
        if (line.Trim(" \t\r"u8).IsEmpty) return null;
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            while (reader.Read())
            {
            }
            return null;
        }
        catch (JsonException error)
        {
            return error.Message;
        }
    }

    /// <summary>
    /// Null when a JSON line is something the transport can take (a request, notification or response object, or a
    /// batch array, which the transport judges itself); else why it is not a JSON-RPC message, and the id to answer
    /// (raw JSON; "null" when it has none usable).
    /// </summary>
    private static (int Code, string Problem, string Id)? InvalidRequest(ReadOnlySpan<byte> line)
    {
        if (line.Trim(" \t\r"u8).IsEmpty) return null;
        using var document = JsonDocument.Parse(line.ToArray());
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Array)
            return (InvalidRequestCode, "batches (JSON arrays) are not part of MCP; send one message per line", "null");
        if (root.ValueKind != JsonValueKind.Object)
            return (InvalidRequestCode,
                $"a JSON-RPC message is an object, not a {root.ValueKind.ToString().ToLowerInvariant()}", "null");
        bool hasId = root.TryGetProperty("id", out var idElement);
        if (hasId && !UsableId(idElement))
            return (InvalidRequestCode, "\"id\" must be a string or an integer (64-bit)", "null");
        string id = hasId ? idElement.GetRawText() : "null";
        if (hasId && idElement.ValueKind == JsonValueKind.Number) id = IdKey(idElement);
        if (!root.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String
            || version.GetString() != "2.0")
            return (InvalidRequestCode, "\"jsonrpc\" must be the string \"2.0\"", id);
        bool hasMethod = root.TryGetProperty("method", out var method);
        if (hasMethod && method.ValueKind != JsonValueKind.String)
            return (InvalidRequestCode, "\"method\" must be a string", id);
        if (!hasMethod && !root.TryGetProperty("result", out _) && !root.TryGetProperty("error", out _))
            return (InvalidRequestCode, "the object has no \"method\" (a request or notification) and no \"result\" " +
                                        "or \"error\" (a response)", id);
        bool hasParams = root.TryGetProperty("params", out var parameters);
        if (hasMethod && hasParams
            && parameters.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null))
            return (InvalidParamsCode, "\"params\" must be an object", id);
        if (hasMethod && hasParams && method.GetString() == "tools/call" && parameters.ValueKind == JsonValueKind.Object
            && parameters.TryGetProperty("arguments", out var arguments)
            && arguments.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            return (InvalidParamsCode, "\"params.arguments\" must be an object mapping argument names to values", id);
        return null;
    }

    private Task AnswerParseErrorAsync(ReadOnlyMemory<byte> line, string problem, CancellationToken cancellationToken)
    {
        long number = Interlocked.Increment(ref lineNumber);
        logger?.LogWarning("stdin line {Line} is not JSON ({Problem}); answered with a parse error", number, problem);
        return AnswerErrorAsync(ParseErrorCode, "Parse error", "null",
            $"stdin line {number} is not JSON ({problem}): {Preview(line)}. Send one JSON-RPC 2.0 message per line, "
            + "e.g. {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}.", cancellationToken);
    }

    private Task AnswerInvalidRequestAsync(ReadOnlyMemory<byte> line, int code, string problem, string id,
        CancellationToken cancellationToken)
    {
        long number = Interlocked.Increment(ref lineNumber);
        logger?.LogWarning("stdin line {Line} is not a valid JSON-RPC message ({Problem}); answered with error {Code}",
            number, problem, code);
        return AnswerErrorAsync(code, code == InvalidParamsCode ? "Invalid params" : "Invalid Request", id,
            $"stdin line {number}: {problem}: {Preview(line)}. A request looks like "
            + "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}.", cancellationToken);
    }

    private static string Preview(ReadOnlyMemory<byte> line)
    {
        string text = Encoding.UTF8.GetString(line.Span).TrimEnd('\r');
        return text.Length <= 80 ? text : text[..80] + "…";
    }

    private async Task AnswerErrorAsync(int code, string message, string rawId, string data,
        CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("jsonrpc", "2.0");
            json.WritePropertyName("id");
            json.WriteRawValue(rawId);
            json.WriteStartObject("error");
            json.WriteNumber("code", code);
            json.WriteString("message", message);
            json.WriteString("data", data);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        await WriteLineAsync(buffer.ToArray(), cancellationToken);
    }

    /// <summary>Reads stdin line by line and hands the transport only the lines that are JSON.</summary>
    private sealed class FilteredInput(JsonRpcLineGuard guard) : ReadOnlyStreamBase
    {
        private readonly byte[] readBuffer = new byte[64 * 1024];
        private readonly MemoryStream pendingLine = new();
        private ReadOnlyMemory<byte> ready = ReadOnlyMemory<byte>.Empty;
        private bool ended;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (ready.IsEmpty)
            {
                if (ended)
                {
                    await guard.DrainAsync(cancellationToken);
                    return 0;
                }
                int read = await guard.stdin.ReadAsync(readBuffer, cancellationToken);
                if (read == 0)
                {
                    ended = true;
                    if (pendingLine.Length > 0) ready = await AcceptLineAsync(cancellationToken);
                    continue;
                }

                using var accepted = new MemoryStream();
                int start = 0;
                for (int i = 0; i < read; i++)
                {
                    if (readBuffer[i] != (byte)'\n') continue;
                    pendingLine.Write(readBuffer, start, i - start + 1);
                    start = i + 1;
                    var line = await AcceptLineAsync(cancellationToken);
                    accepted.Write(line.Span);
                }
                pendingLine.Write(readBuffer, start, read - start);
                ready = accepted.ToArray();
            }

            int count = Math.Min(buffer.Length, ready.Length);
            ready[..count].CopyTo(buffer);
            ready = ready[count..];
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) =>
            ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        /// <summary>Takes the pending line: returns it when it is JSON (or blank), else answers it and returns empty.</summary>
        private async Task<ReadOnlyMemory<byte>> AcceptLineAsync(CancellationToken cancellationToken)
        {
            byte[] line = pendingLine.ToArray();
            pendingLine.SetLength(0);
            var content = line.AsMemory();
            if (content.Span.EndsWith("\n"u8)) content = content[..^1];
            string? problem = ParseProblem(content.Span);
            if (problem is null && InvalidRequest(content.Span) is { } invalid)
            {
                await guard.AnswerInvalidRequestAsync(content, invalid.Code, invalid.Problem, invalid.Id,
                    cancellationToken);
                return ReadOnlyMemory<byte>.Empty;
            }
            if (problem is null)
            {
                Interlocked.Increment(ref guard.lineNumber);
                guard.TrackIncoming(content.Span);
                return line.Length > 0 && line[^1] != (byte)'\n' ? [.. line, (byte)'\n'] : line;
            }

            await guard.AnswerParseErrorAsync(content, problem, cancellationToken);
            return ReadOnlyMemory<byte>.Empty;
        }
    }

    /// <summary>Buffers what the transport writes and passes it on a whole line at a time.</summary>
    private sealed class LineOutput(JsonRpcLineGuard guard) : Stream
    {
        private readonly MemoryStream pending = new();
        private readonly object gate = new();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer,
            CancellationToken cancellationToken = default)
        {
            byte[]? complete = null;
            lock (gate)
            {
                // Only the new bytes are searched, so a large message written in small pieces stays linear.
                int newline = buffer.Span.LastIndexOf((byte)'\n');
                int last = newline < 0 ? -1 : (int)pending.Length + newline;
                pending.Write(buffer.Span);
                byte[] all = pending.GetBuffer();
                if (last >= 0)
                {
                    complete = all[..(last + 1)];
                    byte[] rest = all[(last + 1)..(int)pending.Length];
                    pending.SetLength(0);
                    pending.Write(rest);
                }
            }
            if (complete is not null)
            {
                await guard.WriteLineAsync(complete, cancellationToken);
                guard.TrackOutgoing(complete);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) =>
            WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>The parts of a read-only, forward-only stream that never change.</summary>
    private abstract class ReadOnlyStreamBase : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
