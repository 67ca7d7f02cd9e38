using System.Text;
using System.Text.Json;
using StTrain.Server.Mcp;
using Xunit;

namespace StTrain.Tests.Mcp;

public sealed class JsonRpcLineGuardTests
{
    /// <summary>Hands out at most <c>chunk</c> bytes per read, as a pipe may.</summary>
    private sealed class TricklingStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Json_lines_pass_through_unchanged_and_other_lines_get_a_parse_error(int chunk)
    {
        string input = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n"
                       + "not json at all\n"
                       + "\n"
                       + "[1, 2,\n"
                       + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}"; // no final newline: still delivered
        var stdout = new MemoryStream();
        // Nobody answers the two pings here, so the end of stdin must not wait for them.
        var guard = new JsonRpcLineGuard(new TricklingStream(Encoding.UTF8.GetBytes(input), chunk), stdout)
        {
            DrainLimit = TimeSpan.Zero,
        };

        var passed = new MemoryStream();
        await guard.Input.CopyToAsync(passed);

        Assert.Equal(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n",
            Encoding.UTF8.GetString(passed.ToArray()));
        var replies = Encoding.UTF8.GetString(stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, replies.Length);
        using var first = JsonDocument.Parse(replies[0]);
        Assert.Equal(JsonValueKind.Null, first.RootElement.GetProperty("id").ValueKind);
        Assert.Equal(-32700, first.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("stdin line 2 is not JSON", first.RootElement.GetProperty("error").GetProperty("data").GetString());
        using var second = JsonDocument.Parse(replies[1]);
        Assert.Contains("stdin line 4", second.RootElement.GetProperty("error").GetProperty("data").GetString());
    }

    [Fact]
    public async Task The_end_of_stdin_waits_until_every_request_read_is_answered_or_cancelled()
    {
        string input = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\"}\n"
                       + "{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"method\":\"ping\"}\n"
                       + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"slow\"}\n"
                       + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":3}}\n";
        var guard = new JsonRpcLineGuard(new MemoryStream(Encoding.UTF8.GetBytes(input)), new MemoryStream());
        var buffer = new byte[64 * 1024];
        int read = await guard.Input.ReadAsync(buffer);
        Assert.True(read > 0);
        Assert.Equal(["\"b\"", "1"], guard.Unanswered.Order(StringComparer.Ordinal));

        var end = guard.Input.ReadAsync(buffer).AsTask();
        await Task.Delay(300);
        Assert.False(end.IsCompleted, "stdin's end reached the transport while requests were unanswered");

        await guard.Output.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n"u8.ToArray());
        await Task.Delay(200);
        Assert.False(end.IsCompleted);
        await guard.Output.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"result\":{}}\n"u8.ToArray());
        Assert.Equal(0, await end.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task An_id_spelled_minus_zero_is_crossed_off_by_the_reply_with_id_zero()
    {
        var guard = new JsonRpcLineGuard(
            new MemoryStream("{\"jsonrpc\":\"2.0\",\"id\":-0,\"method\":\"ping\"}\n"u8.ToArray()), new MemoryStream());
        var buffer = new byte[4096];
        Assert.True(await guard.Input.ReadAsync(buffer) > 0);
        Assert.Equal(["0"], guard.Unanswered);
        await guard.Output.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":0,\"result\":{}}\n"u8.ToArray());
        Assert.Equal(0, await guard.Input.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task The_drain_gives_up_after_its_limit()
    {
        var guard = new JsonRpcLineGuard(
            new MemoryStream("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"never\"}\n"u8.ToArray()), new MemoryStream())
        {
            DrainLimit = TimeSpan.FromMilliseconds(200),
        };
        var sink = new MemoryStream();
        await guard.Input.CopyToAsync(sink).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["7"], guard.Unanswered);
    }

    [Fact]
    public async Task Output_reaches_stdout_only_as_whole_lines()
    {
        var stdout = new MemoryStream();
        var guard = new JsonRpcLineGuard(new MemoryStream(), stdout);
        await guard.Output.WriteAsync("{\"a\":"u8.ToArray());
        Assert.Equal(0, stdout.Length);
        await guard.Output.WriteAsync("1}\n{\"b\""u8.ToArray());
        Assert.Equal("{\"a\":1}\n", Encoding.UTF8.GetString(stdout.ToArray()));
        await guard.Output.WriteAsync(":2}\n"u8.ToArray());
        Assert.Equal("{\"a\":1}\n{\"b\":2}\n", Encoding.UTF8.GetString(stdout.ToArray()));
    }

    [Fact]
    public void Tool_errors_quote_the_start_of_a_huge_value_not_all_of_it()
    {
        string text = ToolErrorFilter.ShortenEchoes($"'{new string('A', 2_000_000)}' is not a reference name. Valid: a, b.");
        Assert.True(text.Length < 200, text);
        Assert.Contains("(2,000,002 characters)", text);
        Assert.EndsWith("is not a reference name. Valid: a, b.", text);
        Assert.Equal("short 'value' stays", ToolErrorFilter.ShortenEchoes("short 'value' stays"));
    }

    [Fact]
    public async Task Json_that_is_not_a_json_rpc_message_gets_an_invalid_request_error_with_its_id()
    {
        string input = "\"just a string\"\n"
                       + "{\"jsonrpc\":\"2.0\",\"id\":1000}\n"
                       + "{\"jsonrpc\":\"1.0\",\"id\":\"x\",\"method\":\"ping\"}\n"
                       + "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":7}\n"
                       + "{\"jsonrpc\":\"2.0\",\"id\":6,\"result\":{}}\n"
                       + "[{\"jsonrpc\":\"2.0\",\"id\":50,\"method\":\"ping\"}]\n"
                       + "[]\n"
                       + "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}\n"
                       + "{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"ping\"}\n"
                       + "{\"jsonrpc\":\"2.0\",\"id\":12345678901234567890123,\"method\":\"ping\"}\n"
                       + "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":\"a\"}}\n"
                       + "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\",\"params\":\"p\"}\n";
        var stdout = new MemoryStream();
        var guard = new JsonRpcLineGuard(new MemoryStream(Encoding.UTF8.GetBytes(input)), stdout)
        {
            DrainLimit = TimeSpan.Zero,
        };
        var passed = new MemoryStream();
        await guard.Input.CopyToAsync(passed);

        Assert.Equal("{\"jsonrpc\":\"2.0\",\"id\":6,\"result\":{}}\n", Encoding.UTF8.GetString(passed.ToArray()));
        var replies = Encoding.UTF8.GetString(stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(11, replies.Count);
        Assert.Equal([-32600, -32600, -32600, -32600, -32600, -32600, -32600, -32600, -32600, -32602, -32602],
            replies.Select(r => r.GetProperty("error").GetProperty("code").GetInt32()));
        Assert.Equal(["null", "1000", "\"x\"", "5", "null", "null", "null", "null", "null", "8", "9"],
            replies.Select(r => r.GetProperty("id").GetRawText()));
        Assert.Contains("batches", replies[4].GetProperty("error").GetProperty("data").GetString());
        Assert.Empty(guard.Unanswered); // nothing the transport will never answer is waited for
        Assert.Contains("not a string", replies[0].GetProperty("error").GetProperty("data").GetString());
        Assert.Contains("no \"method\"", replies[1].GetProperty("error").GetProperty("data").GetString());
    }
}
