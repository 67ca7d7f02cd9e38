using StTrain.Core.Runtime;
using StTrain.Server.Mcp;

// `serve` needs no TorchSharp in this process: training runs in child processes.
if (args.Length > 0 && args[0] == "serve")
{
    return await ServeCommand.RunAsync(args[1..]);
}

TorchRuntime.Initialize();
Console.Error.WriteLine("st-train: commands are being built.");
return 2;
