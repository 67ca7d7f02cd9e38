using System.Text.RegularExpressions;
using Onnx;

namespace StTrain.Core.Models.Import;

/// <summary>
/// Recovers the Hugging Face BertModel parameter name of every weight in an exported BERT encoder graph from the
/// graph's data flow alone. Exporters keep bias and LayerNorm names but often call projection matrices
/// "onnx::MatMul_1234", and initializer order differs between exporters, so names and order are never trusted:
/// <list type="bullet">
/// <item>embeddings: the Gather tables indexed by input_ids / token_type_ids, the third table is positions;</item>
/// <item>each layer starts at the residual stream h: the three MatMuls reading h are Q, K and V, told apart by where
/// their outputs enter the attention — Q is the left operand of the score MatMul, K the right one, V the right
/// operand of the MatMul whose left operand is the Softmax;</item>
/// <item>the MatMul reading the attention context is attention.output.dense, then residual Add + LayerNorm;</item>
/// <item>the single MatMul reading that LayerNorm is intermediate.dense, the MatMul after its activation is
/// output.dense, then residual Add + LayerNorm gives the next h;</item>
/// <item>a Gather of token 0 feeding Gemm/MatMul + Tanh on the last h is the pooler.</item>
/// </list>
/// Where the graph does carry a parameter-like name, it must agree with the structural one (a cross-check).
/// Every float initializer with more than one element must be claimed, so nothing is silently dropped.
/// </summary>
internal sealed partial class BertGraphWalker
{
    private static readonly HashSet<string> PassThrough = new(StringComparer.Ordinal)
    {
        "Reshape", "Transpose", "Identity", "Cast", "Squeeze", "Unsqueeze", "Dropout",
    };

    private static readonly HashSet<string> ActivationOps = new(StringComparer.Ordinal)
    {
        "Div", "Mul", "Add", "Sub", "Erf", "Pow", "Tanh", "Sigmoid", "Gelu", "Relu", "Cast",
    };

    private readonly OnnxGraph graph;
    private readonly Dictionary<string, WeightRef> weights = new(StringComparer.Ordinal);
    private readonly List<double> epsilons = [];

    public BertGraphWalker(GraphProto graph) => this.graph = new OnnxGraph(graph);

    /// <summary>
    /// A graph tensor that becomes one state-dict entry; Transpose turns MatMul [in, out] into Linear [out, in].
    /// </summary>
    public sealed record WeightRef(string Source, TensorProto Tensor, bool Transpose)
    {
        public long[] TargetShape
        {
            get
            {
                long[] dims = OnnxGraph.Dims(Tensor);
                return Transpose ? [dims[1], dims[0]] : dims;
            }
        }
    }

    private sealed record Linear(NodeProto MatMul, WeightRef Weight, WeightRef Bias, string Output, long In, long Out);

    public (BertGraphConfig Config, IReadOnlyDictionary<string, WeightRef> Weights) Walk()
    {
        var (hidden, vocab, positions, typeVocab) = WalkEmbeddings(out string h);

        int layers = 0;
        int heads = 0;
        long intermediate = 0;
        string? activation = null;
        while (true)
        {
            var projections = WeightMatMulsReading(h);
            if (projections.Count == 0) break;
            var layer = WalkLayer(layers, h, projections, hidden);
            bool differs = layer.Heads != heads || layer.Intermediate != intermediate || layer.Activation != activation;
            if (layers > 0 && differs)
                throw Fail(projections[0],
                    $"layer {layers} has {layer.Heads} heads / intermediate {layer.Intermediate} / " +
                    $"{layer.Activation}, unlike layer 0 ({heads} / {intermediate} / {activation})");
            (heads, intermediate, activation) = (layer.Heads, layer.Intermediate, layer.Activation);
            h = layer.Output;
            layers++;
        }
        if (layers == 0)
            throw new InvalidDataException(
                $"The ONNX graph has no transformer layer: nothing multiplies the embedding output '{h}' by a weight " +
                "matrix. Is this a BERT encoder export?");

        bool pooler = WalkPooler(h, hidden);
        CrossCheckNames();
        RequireAllWeightsClaimed();

        double eps = epsilons[0];
        if (epsilons.Any(e => Math.Abs(e - eps) > eps * 1e-3))
            throw new InvalidDataException(
                $"The LayerNorm epsilons differ across the graph ({string.Join(", ", epsilons.Distinct())}); " +
                "BertConfig has a single layer_norm_eps.");

        var config = new BertGraphConfig(
            VocabSize: (int)vocab,
            HiddenSize: (int)hidden,
            NumHiddenLayers: layers,
            NumAttentionHeads: heads,
            IntermediateSize: (int)intermediate,
            HiddenAct: activation!,
            MaxPositionEmbeddings: (int)positions,
            TypeVocabSize: (int)typeVocab,
            LayerNormEps: eps,
            HasPooler: pooler);
        return (config, weights);
    }

    private (long Hidden, long Vocab, long Positions, long TypeVocab) WalkEmbeddings(out string embeddingOutput)
    {
        if (!graph.GraphInputs.Contains("input_ids"))
            throw new InvalidDataException(
                $"The ONNX graph has no 'input_ids' input (inputs: {string.Join(", ", graph.GraphInputs)}).");

        var tables = graph.Graph.Node
            .Where(n => n.OpType == "Gather" && OnnxGraph.IntAttribute(n, "axis", 0) == 0 && n.Input.Count == 2)
            .Where(n => graph.Constant(n.Input[0]) is { } t && t.Dims.Count == 2 && IsFloat(t))
            .ToList();
        var word = tables.Where(n => TracesToInput(n.Input[1], "input_ids")).ToList();
        if (word.Count != 1)
            throw new InvalidDataException(
                $"Expected one embedding-table Gather indexed by input_ids, found {word.Count}: " +
                string.Join("; ", word.Select(OnnxGraph.Describe)));
        var type = tables.Where(n => TracesToInput(n.Input[1], "token_type_ids")).ToList();
        if (type.Count != 1)
            throw new InvalidDataException(
                $"Expected one embedding-table Gather indexed by token_type_ids, found {type.Count}; the importer " +
                "needs the token-type table (BertModel always has one).");

        var wordTable = graph.Constant(word[0].Input[0])!;
        long hidden = wordTable.Dims[1];
        var position = tables
            .Where(n => n != word[0] && n != type[0] && graph.Constant(n.Input[0])!.Dims[1] == hidden)
            .Where(n => !graph.GraphInputs.Any(input => TracesToInput(n.Input[1], input)))
            .ToList();
        if (position.Count != 1)
            throw new InvalidDataException(
                $"Expected one position-embedding Gather (a [N, {hidden}] table indexed by computed positions), " +
                $"found {position.Count}: {string.Join("; ", position.Select(OnnxGraph.Describe))}");

        Claim("embeddings.word_embeddings.weight", word[0].Input[0], transpose: false, word[0]);
        Claim("embeddings.token_type_embeddings.weight", type[0].Input[0], transpose: false, type[0]);
        Claim("embeddings.position_embeddings.weight", position[0].Input[0], transpose: false, position[0]);

        // word + token_type + position, in any order, then LayerNorm.
        var pending = new HashSet<NodeProto> { type[0], position[0] };
        string sum = word[0].Output[0];
        while (pending.Count > 0)
        {
            var adds = graph.DataConsumers(sum).Where(c => c.Node.OpType == "Add").ToList();
            if (adds.Count != 1)
                throw Fail(word[0], $"the embedding sum '{sum}' should feed one Add, it feeds {adds.Count}");
            var add = adds[0].Node;
            string other = add.Input[1 - adds[0].Slot];
            var otherProducer = graph.Producer(other);
            if (otherProducer is null || !pending.Remove(otherProducer))
                throw Fail(add, "expected the embedding sum to add the token-type and position embeddings");
            sum = add.Output[0];
        }

        embeddingOutput = MatchLayerNorm(sum, "embeddings.LayerNorm", word[0]);
        var positionTable = graph.Constant(position[0].Input[0])!;
        var typeTable = graph.Constant(type[0].Input[0])!;
        if (typeTable.Dims[1] != hidden)
            throw Fail(type[0], $"the token-type table is {typeTable.Dims[1]} wide, the word table {hidden}");
        return (hidden, wordTable.Dims[0], positionTable.Dims[0], typeTable.Dims[0]);
    }

    private sealed record LayerResult(string Output, int Heads, long Intermediate, string Activation);

    private LayerResult WalkLayer(int index, string h, List<NodeProto> projections, long hidden)
    {
        string prefix = $"encoder.layer.{index}";
        if (projections.Count != 3)
            throw Fail(projections[0],
                $"layer {index}: {projections.Count} weight MatMuls read the hidden state '{h}'; self-attention " +
                "needs exactly three (query, key, value)");

        var linears = projections.Select(p => MatchLinear(p, $"{prefix} attention projection")).ToList();
        var entries = linears.Select(l => (Linear: l, Target: FollowToActivationMatMul(l.Output, l.MatMul))).ToList();

        // The context MatMul multiplies the Softmax output (left) by V (right); the score MatMul multiplies Q by K^T.
        var contextEntries = entries.Where(e => e.Target.Slot == 1 && FeedsFromSoftmax(e.Target.MatMul)).ToList();
        if (contextEntries.Count != 1)
            throw Fail(projections[0],
                $"layer {index}: expected exactly one projection to reach a MatMul whose left operand is a Softmax " +
                $"(the value path), found {contextEntries.Count}");
        var value = contextEntries[0];
        var scoreEntries = entries.Where(e => e != value).ToList();
        if (scoreEntries[0].Target.MatMul != scoreEntries[1].Target.MatMul)
            throw Fail(scoreEntries[0].Linear.MatMul,
                $"layer {index}: the query and key projections should meet in one score MatMul, but reach " +
                $"{OnnxGraph.Describe(scoreEntries[0].Target.MatMul)} and " +
                $"{OnnxGraph.Describe(scoreEntries[1].Target.MatMul)}");
        var query = scoreEntries.Single(e => e.Target.Slot == 0);
        var key = scoreEntries.Single(e => e.Target.Slot == 1);
        var scoreMatMul = query.Target.MatMul;
        var contextMatMul = value.Target.MatMul;
        var softmax = ProducerSkipping(contextMatMul.Input[0])!;
        var scoreScale = FollowScoresToSoftmax(scoreMatMul, softmax);

        int heads = HeadCount(query.Target.Path, hidden, query.Linear.MatMul);
        double headDim = hidden / (double)heads;
        double totalScale = scoreScale * query.Target.Scale * key.Target.Scale;
        if (Math.Abs(totalScale * Math.Sqrt(headDim) - 1) > 1e-3)
            throw Fail(scoreMatMul,
                $"layer {index}: the attention scores are scaled by {totalScale:G6}, not 1/sqrt({headDim}) as BERT " +
                $"with {heads} heads does");

        ClaimLinear(query.Linear, $"{prefix}.attention.self.query");
        ClaimLinear(key.Linear, $"{prefix}.attention.self.key");
        ClaimLinear(value.Linear, $"{prefix}.attention.self.value");
        foreach (var (linear, _) in entries)
            if (linear.In != hidden || linear.Out != hidden)
                throw Fail(linear.MatMul, $"layer {index}: an attention projection is [{linear.In}, {linear.Out}], " +
                                          $"expected [{hidden}, {hidden}]");

        var attentionOut = MatchLinear(FollowToWeightMatMul(contextMatMul.Output[0], contextMatMul),
            $"{prefix}.attention.output.dense");
        ClaimLinear(attentionOut, $"{prefix}.attention.output.dense");
        string attentionResidual = ResidualAdd(attentionOut, h);
        string h1 = MatchLayerNorm(attentionResidual, $"{prefix}.attention.output.LayerNorm", attentionOut.MatMul);

        var ffnIn = WeightMatMulsReading(h1);
        if (ffnIn.Count != 1)
            throw Fail(attentionOut.MatMul,
                $"layer {index}: {ffnIn.Count} weight MatMuls read the attention output '{h1}', expected one " +
                "(intermediate.dense)");
        var intermediate = MatchLinear(ffnIn[0], $"{prefix}.intermediate.dense");
        ClaimLinear(intermediate, $"{prefix}.intermediate.dense");
        var (outputMatMul, activation) = FollowActivation(intermediate);
        var output = MatchLinear(outputMatMul, $"{prefix}.output.dense");
        ClaimLinear(output, $"{prefix}.output.dense");
        if (intermediate.In != hidden || output.In != intermediate.Out || output.Out != hidden)
            throw Fail(output.MatMul,
                $"layer {index}: feed-forward shapes [{intermediate.In}, {intermediate.Out}] then " +
                $"[{output.In}, {output.Out}] do not chain back to {hidden}");
        string outputResidual = ResidualAdd(output, h1);
        string h2 = MatchLayerNorm(outputResidual, $"{prefix}.output.LayerNorm", output.MatMul);
        return new LayerResult(h2, heads, intermediate.Out, activation);
    }

    private bool WalkPooler(string h, long hidden)
    {
        var firstToken = graph.DataConsumers(h)
            .Where(c => c.Node.OpType == "Gather" && c.Slot == 0 && OnnxGraph.IntAttribute(c.Node, "axis", 0) == 1)
            .Select(c => c.Node)
            .Where(n => graph.Constant(n.Input[1]) is { } index && OnnxGraph.ReadInts(index).SequenceEqual([0L]))
            .ToList();
        if (firstToken.Count == 0) return false;
        if (firstToken.Count > 1) throw Fail(firstToken[1], "more than one Gather of the first token");

        var next = graph.DataConsumers(firstToken[0].Output[0]);
        if (next.Count != 1)
            throw Fail(firstToken[0], "the first-token vector should feed the pooler dense layer only");
        var dense = next[0].Node;
        string denseOut;
        if (dense.OpType == "Gemm")
        {
            if (OnnxGraph.IntAttribute(dense, "transA", 0) != 0 || dense.Input.Count < 3
                || OnnxGraph.FloatAttribute(dense, "alpha", 1f) != 1f
                || OnnxGraph.FloatAttribute(dense, "beta", 1f) != 1f)
                throw Fail(dense, "the pooler Gemm should be x * W' + b with alpha = beta = 1");
            bool transB = OnnxGraph.IntAttribute(dense, "transB", 0) == 1;
            // Gemm with transB = 1 stores W as [out, in], already the Linear layout.
            Claim("pooler.dense.weight", dense.Input[1], transpose: !transB, dense);
            Claim("pooler.dense.bias", dense.Input[2], transpose: false, dense);
            denseOut = dense.Output[0];
        }
        else if (dense.OpType == "MatMul")
        {
            var linear = MatchLinear(dense, "pooler.dense");
            ClaimLinear(linear, "pooler.dense");
            denseOut = linear.Output;
        }
        else throw Fail(dense, "expected the pooler dense layer (Gemm or MatMul) after the first-token Gather");

        var tanh = graph.DataConsumers(denseOut);
        if (tanh.Count != 1 || tanh[0].Node.OpType != "Tanh")
            throw Fail(dense, "the pooler dense layer should feed a Tanh");
        var shape = weights["pooler.dense.weight"].TargetShape;
        if (shape[0] != hidden || shape[1] != hidden)
            throw Fail(dense, $"the pooler weight is [{shape[0]}, {shape[1]}], expected [{hidden}, {hidden}]");
        return true;
    }

    // ---- pattern helpers ----

    private List<NodeProto> WeightMatMulsReading(string tensor) => graph.DataConsumers(tensor)
        .Where(c => c.Node.OpType == "MatMul" && c.Slot == 0 && WeightSource(c.Node.Input[1]) is not null)
        .Select(c => c.Node)
        .ToList();

    /// <summary>
    /// A MatMul operand that is a weight: a 2-D float constant ([in, out], to be transposed), or a Transpose with
    /// perm [1, 0] of one (the graph already holds [out, in]); Identity nodes are looked through.
    /// </summary>
    private (string Source, bool Transpose)? WeightSource(string tensor)
    {
        bool flipped = false;
        for (int hop = 0; hop < 4; hop++)
        {
            if (graph.Constant(tensor) is { } constant)
                return constant.Dims.Count == 2 && IsFloat(constant) ? (tensor, !flipped) : null;
            var producer = graph.Producer(tensor);
            if (producer is null) return null;
            if (producer.OpType == "Identity") { tensor = producer.Input[0]; continue; }
            if (producer.OpType == "Transpose" && OnnxGraph.IntsAttribute(producer, "perm") is [1, 0])
            {
                flipped = !flipped;
                tensor = producer.Input[0];
                continue;
            }
            return null;
        }
        return null;
    }

    private Linear MatchLinear(NodeProto matMul, string role)
    {
        var source = WeightSource(matMul.Input[1])
                     ?? throw Fail(matMul, $"expected the {role} weight matrix as the right operand");
        var tensor = graph.Constant(source.Source)!;
        var weight = new WeightRef(source.Source, tensor, source.Transpose);
        long[] shape = weight.TargetShape; // [out, in]
        var adds = graph.DataConsumers(matMul.Output[0]);
        if (adds.Count != 1 || adds[0].Node.OpType != "Add")
            throw Fail(matMul, $"the {role} MatMul should feed exactly one bias Add");
        var add = adds[0].Node;
        string biasName = add.Input[1 - adds[0].Slot];
        var bias = graph.Constant(biasName);
        if (bias is null || !IsFloat(bias) || bias.Dims.Count != 1 || bias.Dims[0] != shape[0])
            throw Fail(add, $"expected the {role} bias (a constant [{shape[0]}] vector) as the other operand");
        return new Linear(matMul, weight, new WeightRef(biasName, bias, false), add.Output[0], shape[1], shape[0]);
    }

    private void ClaimLinear(Linear linear, string name)
    {
        Claim(name + ".weight", linear.Weight.Source, linear.Weight.Transpose, linear.MatMul);
        Claim(name + ".bias", linear.Bias.Source, transpose: false, linear.MatMul);
    }

    private void Claim(string name, string source, bool transpose, NodeProto node)
    {
        var tensor = graph.Constant(source) ?? throw Fail(node, $"'{source}' ({name}) is not a constant");
        if (weights.Values.FirstOrDefault(w => w.Source == source) is { } taken)
            throw Fail(node, $"'{source}' would be both {weights.First(w => w.Value == taken).Key} and {name}");
        if (!weights.TryAdd(name, new WeightRef(source, tensor, transpose)))
            throw Fail(node, $"{name} was found twice");
    }

    private sealed record ActivationPath(NodeProto MatMul, int Slot, List<NodeProto> Path, double Scale);

    /// <summary>
    /// Follows a projection output through head-splitting Reshape/Transpose (and constant scaling) to the
    /// activation-by-activation MatMul it enters; Scale is the product of the constant factors passed.
    /// </summary>
    private ActivationPath FollowToActivationMatMul(string tensor, NodeProto origin)
    {
        var path = new List<NodeProto>();
        double scale = 1;
        for (int hop = 0; hop < 16; hop++)
        {
            var next = graph.DataConsumers(tensor);
            if (next.Count != 1)
                throw Fail(origin, $"its output path reaches '{tensor}', which feeds {next.Count} data consumers; " +
                                   "expected a single Reshape/Transpose chain into the attention");
            var (node, slot) = next[0];
            if (node.OpType == "MatMul")
            {
                if (WeightSource(node.Input[0]) is not null || WeightSource(node.Input[1]) is not null)
                    throw Fail(node, "expected an attention MatMul between two activations");
                return new ActivationPath(node, slot, path, scale);
            }
            if (PassThrough.Contains(node.OpType) && slot == 0) { }
            else if (node.OpType is "Mul" or "Div" && graph.ScalarFloat(node.Input[1 - slot]) is { } factor)
            {
                if (node.OpType == "Div" && slot != 0) throw Fail(node, "a constant divided by an attention operand");
                scale *= node.OpType == "Mul" ? factor : 1.0 / factor;
            }
            else throw Fail(node, "unexpected operation between a projection and the attention MatMul");
            path.Add(node);
            tensor = node.Output[0];
        }
        throw Fail(origin, "no attention MatMul within 16 steps of the projection");
    }

    private NodeProto FollowToWeightMatMul(string tensor, NodeProto origin)
    {
        for (int hop = 0; hop < 16; hop++)
        {
            var next = graph.DataConsumers(tensor);
            if (next.Count != 1)
                throw Fail(origin, $"the attention context '{tensor}' feeds {next.Count} data consumers, expected one");
            var (node, slot) = next[0];
            if (node.OpType == "MatMul" && slot == 0 && WeightSource(node.Input[1]) is not null) return node;
            if (!PassThrough.Contains(node.OpType) || slot != 0)
                throw Fail(node, "unexpected operation between the attention context and attention.output.dense");
            tensor = node.Output[0];
        }
        throw Fail(origin, "no attention.output.dense MatMul within 16 steps of the attention context");
    }

    private NodeProto? ProducerSkipping(string tensor)
    {
        var node = graph.Producer(tensor);
        while (node is not null && node.OpType is "Cast" or "Identity" or "Dropout")
            node = graph.Producer(node.Input[0]);
        return node;
    }

    private bool FeedsFromSoftmax(NodeProto matMul) => ProducerSkipping(matMul.Input[0])?.OpType == "Softmax";

    /// <summary>
    /// Walks score MatMul -> (scale, mask add, ...) -> Softmax; returns the constant scale met on the way.
    /// </summary>
    private double FollowScoresToSoftmax(NodeProto scoreMatMul, NodeProto softmax)
    {
        double scale = 1;
        string tensor = scoreMatMul.Output[0];
        for (int hop = 0; hop < 8; hop++)
        {
            var next = graph.DataConsumers(tensor);
            if (next.Count != 1)
                throw Fail(scoreMatMul,
                    $"the attention scores '{tensor}' feed {next.Count} data consumers, expected one");
            var (node, slot) = next[0];
            if (node == softmax)
            {
                long axis = OnnxGraph.IntAttribute(node, "axis", -1);
                if (axis is not (-1 or 3))
                    throw Fail(node, $"Softmax over axis {axis}, expected the key axis (-1 / 3)");
                return scale;
            }
            float? factor = graph.ScalarFloat(node.Input[1 - slot]);
            switch (node.OpType)
            {
                case "Div" when slot == 0 && factor is { } f: scale /= f; break;
                case "Mul" when factor is { } f: scale *= f; break;
                case "Add" or "Where" or "Cast" or "Identity": break; // the attention mask
                default: throw Fail(node, "unexpected operation between the attention scores and the Softmax");
            }
            tensor = node.Output[0];
        }
        throw Fail(scoreMatMul, "the attention scores do not reach the Softmax that weights the values");
    }

    /// <summary>
    /// Heads from the Reshape that splits Q into [batch, seq, heads, head_dim]: its target shape is a constant or a
    /// Concat whose last two parts are constants.
    /// </summary>
    private int HeadCount(List<NodeProto> queryPath, long hidden, NodeProto origin)
    {
        var reshape = queryPath.FirstOrDefault(n => n.OpType == "Reshape")
                      ?? throw Fail(origin, "no Reshape splits the query into heads");
        long[]? tail = null;
        if (graph.Constant(reshape.Input[1]) is { } shape)
        {
            long[] dims = OnnxGraph.ReadInts(shape);
            if (dims.Length == 4) tail = dims[2..];
        }
        else if (graph.Producer(reshape.Input[1]) is { OpType: "Concat" } concat && concat.Input.Count == 4
                 && graph.Constant(concat.Input[2]) is { } headsPart && graph.Constant(concat.Input[3]) is { } dimPart)
        {
            tail = [OnnxGraph.ReadInts(headsPart)[0], OnnxGraph.ReadInts(dimPart)[0]];
        }
        if (tail is null || tail[0] <= 0 || tail[1] <= 0 || tail[0] * tail[1] != hidden)
            throw Fail(reshape,
                $"cannot read [heads, head_dim] with heads * head_dim = {hidden} from its target shape");
        return (int)tail[0];
    }

    /// <summary>The feed-forward output MatMul and the Hugging Face name of the activation before it.</summary>
    private (NodeProto MatMul, string Activation) FollowActivation(Linear intermediate)
    {
        var seen = new HashSet<NodeProto>();
        var ends = new HashSet<NodeProto>();
        var frontier = new Stack<string>([intermediate.Output]);
        while (frontier.Count > 0)
        {
            foreach (var (node, slot) in graph.DataConsumers(frontier.Pop()))
            {
                if (node.OpType == "MatMul" && slot == 0 && WeightSource(node.Input[1]) is not null) ends.Add(node);
                else if (ActivationOps.Contains(node.OpType))
                {
                    if (seen.Add(node)) frontier.Push(node.Output[0]);
                    if (seen.Count > 32) throw Fail(node, "the feed-forward activation is larger than any known one");
                }
                else throw Fail(node, "unexpected operation inside the feed-forward activation");
            }
        }
        if (ends.Count != 1)
            throw Fail(intermediate.MatMul, $"the activation after intermediate.dense reaches {ends.Count} weight " +
                                            "MatMuls, expected one (output.dense)");
        var ops = seen.Select(n => n.OpType).ToHashSet();
        var gelu = seen.FirstOrDefault(n => n.OpType == "Gelu");
        string activation =
            ops.Contains("Erf") ? "gelu"
            : gelu is not null ? (gelu.Attribute.Any(a => a.Name == "approximate" && a.S.ToStringUtf8() == "tanh")
                ? "gelu_new" : "gelu")
            : ops.Contains("Tanh") && ops.Contains("Pow") ? "gelu_new"
            : ops.SetEquals(["Relu"]) ? "relu"
            : throw Fail(intermediate.MatMul, $"unrecognised activation made of {string.Join(", ", ops)}");
        return (ends.Single(), activation);
    }

    private string ResidualAdd(Linear dense, string residual)
    {
        var adds = graph.DataConsumers(dense.Output);
        if (adds.Count != 1 || adds[0].Node.OpType != "Add" || adds[0].Node.Input[1 - adds[0].Slot] != residual)
            throw Fail(dense.MatMul, $"the dense output '{dense.Output}' should be added to the residual '{residual}'");
        return adds[0].Node.Output[0];
    }

    /// <summary>
    /// Matches LayerNorm on <paramref name="x"/>, either the fused LayerNormalization op or the decomposed form
    /// y = (x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps) * gamma + beta, claims gamma/beta as name.weight/.bias
    /// and returns y.
    /// </summary>
    private string MatchLayerNorm(string x, string name, NodeProto context)
    {
        var consumers = graph.DataConsumers(x);
        var fused = consumers.FirstOrDefault(c => c.Node.OpType == "LayerNormalization" && c.Slot == 0).Node;
        if (fused is not null)
        {
            if (fused.Input.Count < 3) throw Fail(fused, $"{name} has no bias input");
            Claim(name + ".weight", fused.Input[1], transpose: false, fused);
            Claim(name + ".bias", fused.Input[2], transpose: false, fused);
            epsilons.Add(RoundTrip(OnnxGraph.FloatAttribute(fused, "epsilon", 1e-5f)));
            return fused.Output[0];
        }

        var sub = consumers.FirstOrDefault(c => c.Node.OpType == "Sub" && c.Slot == 0
                                                && graph.Producer(c.Node.Input[1]) is { OpType: "ReduceMean" } mean
                                                && mean.Input[0] == x).Node
                  ?? throw Fail(context,
                      $"expected {name} (ReduceMean/Sub/Pow/Sqrt/Div or LayerNormalization) on '{x}'");
        string centered = sub.Output[0];
        var div = graph.DataConsumers(centered).FirstOrDefault(c => c.Node.OpType == "Div" && c.Slot == 0).Node
                  ?? throw Fail(sub, $"{name}: the centred input is not divided by the standard deviation");
        var sqrt = graph.Producer(div.Input[1]);
        var addEps = sqrt is { OpType: "Sqrt" } ? graph.Producer(sqrt.Input[0]) : null;
        if (addEps is not { OpType: "Add" }) throw Fail(div, $"{name}: expected sqrt(variance + eps) as the divisor");
        int epsSlot = graph.ScalarFloat(addEps.Input[1]) is not null ? 1 : 0;
        float eps = graph.ScalarFloat(addEps.Input[epsSlot])
                    ?? throw Fail(addEps, $"{name}: the epsilon is not a scalar constant");
        var variance = graph.Producer(addEps.Input[1 - epsSlot]);
        var square = variance is { OpType: "ReduceMean" } ? graph.Producer(variance.Input[0]) : null;
        bool squares =
            square is { OpType: "Pow" } && square.Input[0] == centered && graph.ScalarFloat(square.Input[1]) == 2f
            || square is { OpType: "Mul" } && square.Input[0] == centered && square.Input[1] == centered;
        if (!squares) throw Fail(addEps, $"{name}: the variance is not the mean of the squared centred input");
        epsilons.Add(RoundTrip(eps));

        var gammaUse = graph.DataConsumers(div.Output[0]);
        if (gammaUse.Count != 1 || gammaUse[0].Node.OpType != "Mul")
            throw Fail(div, $"{name}: the normalised value should be scaled by gamma");
        var mul = gammaUse[0].Node;
        string gamma = mul.Input[1 - gammaUse[0].Slot];
        var betaUse = graph.DataConsumers(mul.Output[0]);
        if (betaUse.Count != 1 || betaUse[0].Node.OpType != "Add")
            throw Fail(mul, $"{name}: the scaled value should be shifted by beta");
        var add = betaUse[0].Node;
        string beta = add.Input[1 - betaUse[0].Slot];
        foreach (string constant in new[] { gamma, beta })
            if (graph.Constant(constant) is not { Dims.Count: 1 } vector || !IsFloat(vector))
                throw Fail(add, $"{name}: '{constant}' is not a constant vector");
        Claim(name + ".weight", gamma, transpose: false, mul);
        Claim(name + ".bias", beta, transpose: false, add);
        return add.Output[0];
    }

    private bool TracesToInput(string tensor, string input)
    {
        for (int hop = 0; hop < 8; hop++)
        {
            if (tensor == input) return true;
            var producer = graph.Producer(tensor);
            if (producer is null || !PassThrough.Contains(producer.OpType)) return false;
            tensor = producer.Input[0];
        }
        return false;
    }

    // ---- whole-graph checks ----

    [GeneratedRegex(@"^(bert\.)?(embeddings|encoder|pooler)\.[A-Za-z0-9_.]+\.(weight|bias)$")]
    private static partial Regex ParameterName();

    private void CrossCheckNames()
    {
        foreach (var (name, weight) in weights)
        {
            if (!ParameterName().IsMatch(weight.Source)) continue;
            string graphName = weight.Source.StartsWith("bert.", StringComparison.Ordinal)
                ? weight.Source[5..]
                : weight.Source;
            if (graphName != name)
                throw new InvalidDataException(
                    $"The graph structure identifies initializer '{weight.Source}' as {name}, but its own name says " +
                    $"{graphName}. The graph is wired unlike a BERT encoder; not importing it.");
        }
    }

    private void RequireAllWeightsClaimed()
    {
        var claimed = weights.Values.Select(w => w.Source).ToHashSet(StringComparer.Ordinal);
        var unclaimed = graph.Graph.Initializer
            .Where(t => IsFloat(t) && t.Dims.Aggregate(1L, (a, b) => a * b) > 1 && !claimed.Contains(t.Name))
            .Select(t => $"{t.Name} [{string.Join(", ", t.Dims)}]")
            .ToList();
        if (unclaimed.Count > 0)
            throw new InvalidDataException(
                $"The graph holds weights outside the BERT encoder structure: {string.Join(", ", unclaimed)}. " +
                "Importing would silently drop them.");
    }

    private static bool IsFloat(TensorProto tensor) =>
        tensor.DataType is (int)TensorProto.Types.DataType.Float or (int)TensorProto.Types.DataType.Double;

    /// <summary>The float as its shortest decimal form (1e-12f becomes 1e-12, not 9.999999960041972e-13).</summary>
    private static double RoundTrip(float value) =>
        double.Parse(value.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            System.Globalization.CultureInfo.InvariantCulture);

    private static InvalidDataException Fail(NodeProto node, string what) =>
        new("The ONNX graph does not have the BERT structure the importer recognises: " +
            $"at {OnnxGraph.Describe(node)}: {what}.");
}
