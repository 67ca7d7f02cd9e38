using Xunit;

namespace StTrain.Tests.Support;

/// <summary>
/// Tests that compare runs for bit-identical results. Torch's random generator is process-wide, so these run on
/// their own, after the parallel tests, where no other test can draw from it in between.
/// </summary>
[CollectionDefinition("training runs", DisableParallelization = true)]
public sealed class TrainingRunsCollection;
