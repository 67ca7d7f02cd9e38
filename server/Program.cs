using StTrain.Core.Runtime;

TorchRuntime.Initialize();
Console.Error.WriteLine("st-train: commands are being built.");
return 2;
