using ModelContextProtocol.Server;

namespace StTrain.Server.Mcp;

/// <summary>The key under which a client session's reading is recorded.</summary>
public static class SessionKeys
{
    /// <summary>The transport's session id, or "stdio": a stdio server process serves exactly one session.</summary>
    public static string For(McpServer server) => server.SessionId ?? "stdio";
}
