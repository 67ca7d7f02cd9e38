namespace StTrain.Server.Commands;

/// <summary>A command line the command cannot run; the message says what is wrong (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);
