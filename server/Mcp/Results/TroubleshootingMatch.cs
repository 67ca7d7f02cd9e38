namespace StTrain.Server.Mcp.Results;

/// <summary>The troubleshooting entry that matches a failure.</summary>
/// <param name="Heading">The symptom heading.</param>
/// <param name="Text">The entry's text.</param>
public sealed record TroubleshootingMatch(string Heading, string Text);
