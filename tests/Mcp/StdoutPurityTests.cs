using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace StTrain.Tests.Mcp;

/// <summary>
/// Serve mode keeps stdout for JSON-RPC alone. This test speaks raw JSON-RPC to the process (no SDK client that
/// might skip a stray line) and checks every stdout line, including across tool errors and a protocol error.
/// </summary>
public sealed class StdoutPurityTests
{
    [Fact]
    public async Task Nothing_but_json_rpc_reaches_stdout_while_logs_go_to_stderr()
    {
        var workspace = RepositoryPaths.NewWorkspace();
        using var process = StartServer(workspace);
        var lines = new List<string>();
        var stdout = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        });
        var stderr = process.StandardError.ReadToEndAsync();

        string[] requests =
        [
            Request(1, "initialize", new
            {
                protocolVersion = "2025-06-18",
                capabilities = new { },
                clientInfo = new { name = "raw", version = "1" },
            }),
            JsonSerializer.Serialize(new { jsonrpc = "2.0", method = "notifications/initialized" }),
            Request(2, "tools/list", null),
            Request(3, "tools/call", new { name = "identify_model_type", arguments = new { task = "rerank" } }),
            Request(4, "tools/call", new { name = "read_reference", arguments = new { name = "../SKILL" } }),
            Request(5, "tools/call", new { name = "scaffold_from_template", arguments = new { } }),
            Request(6, "tools/call", new { name = "no_such_tool", arguments = new { } }),
            Request(7, "tools/call", new { name = "read_reference", arguments = new { name = "troubleshooting" } }),
            Request(8, "resources/read", new { uri = "skill://train-sentence-transformers/SKILL.md" }),
            "this line is not JSON",
            "{\"jsonrpc\":\"2.0\",\"id\":10,",
            Request(9, "ping", null),
        ];
        foreach (var request in requests)
        {
            await process.StandardInput.WriteLineAsync(request);
        }

        await process.StandardInput.FlushAsync();

        // Wait for the nine answers and two parse errors, then close stdin: that ends the session and the server must
        // exit.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            lock (lines)
            {
                if (lines.Count(line => line.Contains("\"id\":", StringComparison.Ordinal)) >= 11)
                {
                    break;
                }
            }

            await Task.Delay(100);
        }

        process.StandardInput.Close();
        Assert.True(process.WaitForExit(30_000), "the server did not exit after stdin closed");
        await stdout;
        var answered = new HashSet<int>();
        int parseErrors = 0;

        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            using var message = JsonDocument.Parse(line); // Throws on anything that is not JSON.
            Assert.Equal("2.0", message.RootElement.GetProperty("jsonrpc").GetString());
            if (message.RootElement.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number)
            {
                answered.Add(id.GetInt32());
            }
            else if (id.ValueKind == JsonValueKind.Null)
            {
                // A line that is not JSON is answered with the JSON-RPC parse error, and the server keeps serving.
                var error = message.RootElement.GetProperty("error");
                Assert.Equal(-32700, error.GetProperty("code").GetInt32());
                Assert.Contains("is not JSON", error.GetProperty("data").GetString());
                parseErrors++;
            }
        }

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9], answered.Order());
        Assert.Equal(2, parseErrors);
        Assert.DoesNotContain(lines, line => line.Contains("An error occurred invoking", StringComparison.Ordinal));
        Assert.Contains("st-train serve", await stderr); // Logs go to stderr ...
        Assert.Single(Directory.GetFiles(Path.Combine(workspace, "logs"), "st-train-serve-*.log")); // ... and a file.
        Directory.Delete(workspace, recursive: true);
    }

    [Fact]
    public async Task A_piped_file_of_requests_gets_every_reply_even_though_stdin_ends_at_once()
    {
        var workspace = RepositoryPaths.NewWorkspace();
        using var process = StartServer(workspace);
        var stderr = process.StandardError.ReadToEndAsync();
        string[] requests =
        [
            Request(1, "initialize", new
            {
                protocolVersion = "2025-06-18",
                capabilities = new { },
                clientInfo = new { name = "piped", version = "1" },
            }),
            JsonSerializer.Serialize(new { jsonrpc = "2.0", method = "notifications/initialized" }),
            Request(2, "tools/list", null),
            Request(3, "tools/call", new { name = "identify_model_type", arguments = new { task = "rerank results" } }),
            Request(4, "tools/call", new { name = "read_reference", arguments = new { name = "troubleshooting" } }),
        ];
        await process.StandardInput.WriteAsync(string.Join('\n', requests) + "\n");
        process.StandardInput.Close(); // the whole "file" at once, then the end of stdin

        var output = await process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "the server did not exit after answering");
        var answered = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("id").GetInt32()).Order().ToList();
        Assert.True(answered.SequenceEqual([1, 2, 3, 4]), $"answered {string.Join(",", answered)}; log:\n{await stderr}");
        Directory.Delete(workspace, recursive: true);
    }

    /// <summary>`st-train serve` over <paramref name="workspace"/> with every standard stream redirected.</summary>
    private static Process StartServer(string workspace) => Process.Start(new ProcessStartInfo("dotnet")
    {
        ArgumentList = { RepositoryPaths.ServerAssembly, "serve", "--workspace", workspace },
        WorkingDirectory = workspace,
        RedirectStandardInput = true,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
        Environment = { ["ST_TRAIN_ROOT"] = RepositoryPaths.Root },
    })!;

    private static string Request(int id, string method, object? parameters) => parameters is null
        ? JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method })
        : JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method, @params = parameters });
}
