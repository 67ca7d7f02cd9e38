using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace StTrain.Server.Mcp;

/// <summary>
/// The stdio framing around the MCP transport. The transport reads one JSON message per line and, on a line that is
/// not JSON, only logs a parse failure: the sender never learns what happened. This guard sits in between:
/// <list type="bullet">
/// <item><see cref="Input"/> passes every line that parses as JSON to the transport unchanged and answers any other
/// non-blank line itself with the JSON-RPC parse error (code -32700, id null), naming the line and the parser's
/// complaint;</item>
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
                    unanswered.TryAdd(id.GetRawText(), 0);
                else if (method.ValueKind == JsonValueKind.String && method.GetString() == "notifications/cancelled"
                         && message.TryGetProperty("params", out var parameters)
                         && parameters.ValueKind == JsonValueKind.Object
                         && parameters.TryGetProperty("requestId", out var withdrawn))
                    unanswered.TryRemove(withdrawn.GetRawText(), out _);
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
                        unanswered.TryRemove(id.GetRawText(), out _);
            }
            catch (JsonException)
            {
                // Not ours to judge: the transport wrote it.
            }
        }
    }

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

    private async Task AnswerParseErrorAsync(ReadOnlyMemory<byte> line, string problem,
        CancellationToken cancellationToken)
    {
        long number = Interlocked.Increment(ref lineNumber);
        string text = Encoding.UTF8.GetString(line.Span).TrimEnd('\r');
        string preview = text.Length <= 80 ? text : text[..80] + "…";
        logger?.LogWarning("stdin line {Line} is not JSON ({Problem}); answered with a parse error", number, problem);
        var reply = new
        {
            jsonrpc = "2.0",
            id = (object?)null,
            error = new
            {
                code = ParseErrorCode,
                message = "Parse error",
                data = $"stdin line {number} is not JSON ({problem}): {preview}. Send one JSON-RPC 2.0 message per "
                       + "line, e.g. {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}.",
            },
        };
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(reply);
        var bytes = new byte[json.Length + 1];
        json.CopyTo(bytes, 0);
        bytes[^1] = (byte)'\n';
        await WriteLineAsync(bytes, cancellationToken);
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
