using System.Collections.Concurrent;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace StTrain.Tests.Mcp;

/// <summary>
/// A real MCP client connected over stdio to a freshly started `st-train serve` process, with its own workspace.
/// </summary>
public sealed class ServerSession : IAsyncDisposable
{
    private readonly bool _ownsWorkspace;

    private ServerSession(McpClient client, string workspace, bool ownsWorkspace, ConcurrentQueue<string> stderr)
    {
        _ownsWorkspace = ownsWorkspace;
        Client = client;
        Workspace = workspace;
        StandardError = stderr;
    }

    /// <summary>The connected client.</summary>
    public McpClient Client { get; }

    /// <summary>The server's workspace (runs/, logs/).</summary>
    public string Workspace { get; }

    /// <summary>Every line the server wrote to stderr.</summary>
    public ConcurrentQueue<string> StandardError { get; }

    /// <summary>
    /// Starts a server over <paramref name="workspace"/> and connects. Without a workspace a new temp folder is
    /// used and deleted on dispose; a given workspace is left for the caller unless
    /// <paramref name="deleteWorkspace"/> hands it over.
    /// </summary>
    public static async Task<ServerSession> StartAsync(string? workspace = null, bool deleteWorkspace = false)
    {
        var ownsWorkspace = workspace is null || deleteWorkspace;
        workspace ??= RepositoryPaths.NewWorkspace();
        var stderr = new ConcurrentQueue<string>();
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "st-train",
            Command = "dotnet",
            Arguments = [RepositoryPaths.ServerAssembly, "serve", "--workspace", workspace],
            WorkingDirectory = workspace,
            EnvironmentVariables = new Dictionary<string, string?> { ["ST_TRAIN_ROOT"] = RepositoryPaths.Root },
            StandardErrorLines = stderr.Enqueue,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var client = await McpClient.CreateAsync(transport, cancellationToken: timeout.Token);
        return new ServerSession(client, workspace, ownsWorkspace, stderr);
    }

    /// <summary>Calls a tool with JSON-compatible arguments.</summary>
    public async Task<CallToolResult> CallAsync(
        string tool, object? arguments = null, IProgress<ProgressNotificationValue>? progress = null)
    {
        var dictionary = arguments is null
            ? new Dictionary<string, object?>()
            : JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(arguments))!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        return await Client.CallToolAsync(tool, dictionary, progress, cancellationToken: timeout.Token);
    }

    /// <summary>Calls a tool and fails the test when it reports an error.</summary>
    public async Task<JsonElement> CallOkAsync(string tool, object? arguments = null)
    {
        var result = await CallAsync(tool, arguments);
        if (result.IsError is true)
        {
            throw new Xunit.Sdk.XunitException($"{tool} failed: {TextOf(result)}");
        }

        return result.StructuredContent ?? throw new Xunit.Sdk.XunitException($"{tool} returned no structuredContent");
    }

    /// <summary>Reads every page of each reference (troubleshooting: headings only).</summary>
    public async Task ReadAllAsync(IEnumerable<string> references)
    {
        foreach (var name in references)
        {
            if (name == "troubleshooting")
            {
                await CallOkAsync("read_reference", new { name, headings_only = true });
                continue;
            }

            int? page = 1;
            while (page is { } current)
            {
                var result = await CallOkAsync("read_reference", new { name, page = current });
                page = result.GetProperty("next_page").ValueKind == JsonValueKind.Null
                    ? null
                    : result.GetProperty("next_page").GetInt32();
            }
        }
    }

    /// <summary>The text content of a result, joined.</summary>
    public static string TextOf(CallToolResult result) =>
        string.Join('\n', result.Content.OfType<TextContentBlock>().Select(block => block.Text));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        if (!_ownsWorkspace)
        {
            return;
        }

        try
        {
            Directory.Delete(Workspace, recursive: true);
        }
        catch (IOException)
        {
            // A background training process may still hold files; the temp folder is cleaned later.
        }
    }
}
