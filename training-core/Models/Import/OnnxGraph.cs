using System.Runtime.InteropServices;
using Onnx;

namespace StTrain.Core.Models.Import;

/// <summary>
/// Read-only index over an ONNX graph: which node produces each tensor, which nodes consume it (and at which input
/// slot), and which tensors are constants (initializers or outputs of Constant nodes). The importer walks the graph
/// through this index instead of trusting tensor names.
/// </summary>
internal sealed class OnnxGraph
{
    private static readonly IReadOnlyList<(NodeProto Node, int Slot)> NoConsumers = [];

    private readonly Dictionary<string, NodeProto> producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(NodeProto Node, int Slot)>> consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> constants = new(StringComparer.Ordinal);
    private readonly HashSet<string> initializerNames = new(StringComparer.Ordinal);

    public OnnxGraph(GraphProto graph)
    {
        Graph = graph;
        foreach (var initializer in graph.Initializer)
        {
            constants[initializer.Name] = initializer;
            initializerNames.Add(initializer.Name);
        }
        foreach (var node in graph.Node)
        {
            foreach (string output in node.Output) producers[output] = node;
            for (int slot = 0; slot < node.Input.Count; slot++)
            {
                string input = node.Input[slot];
                if (input.Length == 0) continue;
                if (!consumers.TryGetValue(input, out var list)) consumers[input] = list = [];
                list.Add((node, slot));
            }
            if (node.OpType == "Constant" && node.Output.Count == 1)
            {
                var value = node.Attribute.FirstOrDefault(a => a.Name == "value");
                if (value?.T is not null) constants[node.Output[0]] = value.T;
            }
        }
        GraphInputs = graph.Input.Select(i => i.Name).Where(n => !initializerNames.Contains(n)).ToHashSet();
        GraphOutputs = graph.Output.Select(o => o.Name).ToHashSet();
    }

    public GraphProto Graph { get; }

    public IReadOnlySet<string> GraphInputs { get; }

    public IReadOnlySet<string> GraphOutputs { get; }

    public NodeProto? Producer(string tensor) => producers.GetValueOrDefault(tensor);

    public IReadOnlyList<(NodeProto Node, int Slot)> Consumers(string tensor) =>
        consumers.TryGetValue(tensor, out var list) ? list : NoConsumers;

    /// <summary>Consumers that compute data, leaving out Shape nodes (they only feed reshape bookkeeping).</summary>
    public IReadOnlyList<(NodeProto Node, int Slot)> DataConsumers(string tensor) =>
        Consumers(tensor).Where(c => c.Node.OpType != "Shape").ToList();

    public bool IsConstant(string tensor) => constants.ContainsKey(tensor);

    public bool IsInitializer(string tensor) => initializerNames.Contains(tensor);

    public TensorProto? Constant(string tensor) => constants.GetValueOrDefault(tensor);

    public static string Describe(NodeProto node) =>
        $"{node.OpType} node '{(node.Name.Length > 0 ? node.Name : "(unnamed)")}' " +
        $"(inputs: {string.Join(", ", node.Input)}; outputs: {string.Join(", ", node.Output)})";

    public static long[] Dims(TensorProto tensor) => tensor.Dims.ToArray();

    /// <summary>The float32 payload of <paramref name="tensor"/>, from raw_data or float_data.</summary>
    public static float[] ReadFloats(TensorProto tensor)
    {
        RequireEmbedded(tensor);
        if (tensor.DataType == (int)TensorProto.Types.DataType.Float)
        {
            if (!tensor.RawData.IsEmpty) return MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
            return tensor.FloatData.ToArray();
        }
        if (tensor.DataType == (int)TensorProto.Types.DataType.Double)
        {
            if (!tensor.RawData.IsEmpty)
                return MemoryMarshal.Cast<byte, double>(tensor.RawData.Span).ToArray().Select(d => (float)d).ToArray();
            return tensor.DoubleData.Select(d => (float)d).ToArray();
        }
        throw new InvalidDataException(
            $"Tensor '{tensor.Name}' has ONNX data type {(TensorProto.Types.DataType)tensor.DataType}; " +
            "the importer reads float32 weights only.");
    }

    /// <summary>The int64 / int32 payload of <paramref name="tensor"/>, from raw_data or the typed fields.</summary>
    public static long[] ReadInts(TensorProto tensor)
    {
        RequireEmbedded(tensor);
        switch ((TensorProto.Types.DataType)tensor.DataType)
        {
            case TensorProto.Types.DataType.Int64:
                return !tensor.RawData.IsEmpty
                    ? MemoryMarshal.Cast<byte, long>(tensor.RawData.Span).ToArray()
                    : tensor.Int64Data.ToArray();
            case TensorProto.Types.DataType.Int32:
                return !tensor.RawData.IsEmpty
                    ? MemoryMarshal.Cast<byte, int>(tensor.RawData.Span).ToArray().Select(i => (long)i).ToArray()
                    : tensor.Int32Data.Select(i => (long)i).ToArray();
            default:
                throw new InvalidDataException(
                    $"Tensor '{tensor.Name}' has ONNX data type {(TensorProto.Types.DataType)tensor.DataType}; " +
                    "an integer tensor was expected.");
        }
    }

    /// <summary>A single float constant (a scalar or one-element tensor), or null when it is anything else.</summary>
    public float? ScalarFloat(string tensor)
    {
        var proto = Constant(tensor);
        if (proto is null || proto.Dims.Aggregate(1L, (a, b) => a * b) != 1) return null;
        if (proto.DataType is not ((int)TensorProto.Types.DataType.Float or (int)TensorProto.Types.DataType.Double))
            return null;
        return ReadFloats(proto)[0];
    }

    public static long IntAttribute(NodeProto node, string name, long fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } attribute ? attribute.I : fallback;

    public static float FloatAttribute(NodeProto node, string name, float fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } attribute ? attribute.F : fallback;

    public static long[]? IntsAttribute(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name)?.Ints.ToArray();

    private static void RequireEmbedded(TensorProto tensor)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
            throw new InvalidDataException(
                $"Tensor '{tensor.Name}' keeps its data in an external file; re-export the graph with the weights " +
                "embedded (a single .onnx file).");
    }
}
