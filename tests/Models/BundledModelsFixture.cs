using StTrain.Core.Models;
using StTrain.Core.Runtime;
using Xunit;

namespace StTrain.Tests.Models;

/// <summary>Imports both bundled models once into a private cache root shared by the import tests.</summary>
public sealed class BundledModelsFixture : IDisposable
{
    public BundledModelsFixture()
    {
        TorchRuntime.Initialize();
        CacheRoot = Path.Combine(Path.GetTempPath(), $"st-train-import-tests-{Guid.NewGuid():N}");
        MiniLMFolder = BundledModels.TryResolve(BundledPackage.MiniLM.Id, CacheRoot)!;
        ArcticFolder = BundledModels.TryResolve(BundledPackage.ArcticXs.Id, CacheRoot)!;
    }

    public string CacheRoot { get; }

    public string MiniLMFolder { get; }

    public string ArcticFolder { get; }

    public string Folder(BundledPackage package) => package == BundledPackage.MiniLM ? MiniLMFolder : ArcticFolder;

    public void Dispose()
    {
        if (Directory.Exists(CacheRoot)) Directory.Delete(CacheRoot, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class BundledModelsCollection : ICollectionFixture<BundledModelsFixture>
{
    public const string Name = "Bundled model imports";
}
