namespace StTrain.Core.Models.Import;

/// <summary>What an import recovered from a graph.</summary>
/// <param name="Config">The hyper-parameters read off the graph.</param>
/// <param name="Sources">
/// Each Hugging Face BertModel state-dict name mapped to the graph tensor it came from (an initializer name such as
/// "onnx::MatMul_788"), with " (transposed)" appended where a MatMul [in, out] matrix became a Linear [out, in] weight.
/// </param>
public sealed record OnnxBertImport(BertGraphConfig Config, IReadOnlyDictionary<string, string> Sources);
