using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Lets a wrapper (MatryoshkaLoss) change how a cached loss turns the cached embeddings into a loss, since the
/// wrapper cannot intercept the cached loss's own forward passes. <paramref name="inner"/> is the undecorated loss.
/// With <paramref name="withBackward"/> the decorator must leave d(loss)/d(embedding) in the embeddings' grad.
/// </summary>
internal delegate Tensor CachedLossDecorator(
    IReadOnlyList<Tensor> embeddings,
    Tensor? labels,
    bool withBackward,
    Func<IReadOnlyList<Tensor>, Tensor?, bool, Tensor> inner);
