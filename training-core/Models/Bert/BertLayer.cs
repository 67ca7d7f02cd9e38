using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StTrain.Core.Models.Bert;

/// <summary>
/// One transformer layer: self-attention block, then the feed-forward block, each with residual + LayerNorm.
/// </summary>
internal sealed class BertLayer : Module<Tensor, Tensor, Tensor>
{
    private readonly BertAttention attention;
    private readonly BertIntermediate intermediate;
    private readonly BertResidualOutput output;

    public BertLayer(BertConfig config) : base(nameof(BertLayer))
    {
        attention = new BertAttention(config);
        intermediate = new BertIntermediate(config);
        output = new BertResidualOutput(config.IntermediateSize, config.HiddenSize, config);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor maskBias)
    {
        var attended = attention.forward(hidden, maskBias);
        return output.forward(intermediate.forward(attended), attended);
    }
}

/// <summary>Self-attention ("attention.self") followed by its output projection ("attention.output").</summary>
internal sealed class BertAttention : Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly BertSelfAttention self;
    private readonly BertResidualOutput output;
#pragma warning restore IDE1006

    public BertAttention(BertConfig config) : base(nameof(BertAttention))
    {
        self = new BertSelfAttention(config);
        output = new BertResidualOutput(config.HiddenSize, config.HiddenSize, config);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor maskBias) =>
        output.forward(self.forward(hidden, maskBias), hidden);
}

/// <summary>Multi-head scaled dot-product attention: softmax(QKᵀ/√d + mask)·V over each head.</summary>
internal sealed class BertSelfAttention : Module<Tensor, Tensor, Tensor>
{
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly int heads;
    private readonly double dropoutProbability;

    public BertSelfAttention(BertConfig config) : base(nameof(BertSelfAttention))
    {
        if (config.HiddenSize % config.NumAttentionHeads != 0)
            throw new InvalidDataException(
                $"config.json: hidden_size {config.HiddenSize} is not a multiple of " +
                $"num_attention_heads {config.NumAttentionHeads}.");
        query = Linear(config.HiddenSize, config.HiddenSize);
        key = Linear(config.HiddenSize, config.HiddenSize);
        value = Linear(config.HiddenSize, config.HiddenSize);
        heads = config.NumAttentionHeads;
        dropoutProbability = config.AttentionProbsDropoutProb;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor maskBias)
    {
        long batch = hidden.shape[0], length = hidden.shape[1], width = hidden.shape[2];
        Tensor Split(Tensor t) => t.view(batch, length, heads, width / heads).transpose(1, 2);

        // Under bf16 mixed precision the projections come out in bfloat16 and attention runs in it too.
        var q = MixedPrecision.Linear(query, hidden);
        var context = functional.scaled_dot_product_attention(
            Split(q), Split(MixedPrecision.Linear(key, hidden)), Split(MixedPrecision.Linear(value, hidden)),
            attn_mask: maskBias.dtype == q.dtype ? maskBias : maskBias.to(q.dtype),
            p: training ? dropoutProbability : 0.0);
        return context.transpose(1, 2).reshape(batch, length, width);
    }
}

/// <summary>Feed-forward expansion with the configured activation ("intermediate").</summary>
internal sealed class BertIntermediate : Module<Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly string activation;

    public BertIntermediate(BertConfig config) : base(nameof(BertIntermediate))
    {
        dense = Linear(config.HiddenSize, config.IntermediateSize);
        activation = config.HiddenAct;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        var projected = MixedPrecision.Linear(dense, hidden);
        return activation switch
        {
            "gelu" => functional.gelu(projected),
            "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" =>
                0.5 * projected * (1.0 + tanh(Math.Sqrt(2.0 / Math.PI) * (projected + 0.044715 * projected.pow(3)))),
            "relu" => functional.relu(projected),
            "silu" or "swish" => functional.silu(projected),
            _ => throw new NotSupportedException(
                $"config.json: hidden_act '{activation}' is not supported (use gelu, gelu_new, relu or silu)."),
        };
    }
}

/// <summary>dense → dropout → LayerNorm(x + residual); shared by attention.output and output.</summary>
internal sealed class BertResidualOutput : Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;
#pragma warning restore IDE1006

    public BertResidualOutput(long inFeatures, long outFeatures, BertConfig config) : base(nameof(BertResidualOutput))
    {
        dense = Linear(inFeatures, outFeatures);
        LayerNorm = nn.LayerNorm(outFeatures, config.LayerNormEps);
        dropout = Dropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    // The residual is float32, so the sum (and LayerNorm) is float32 even when the projection ran in bf16.
    public override Tensor forward(Tensor hidden, Tensor residual) =>
        LayerNorm.forward(dropout.forward(MixedPrecision.Linear(dense, hidden)) + residual);
}

/// <summary>tanh(dense(CLS token)): BertModel's pooler, kept so checkpoints round-trip.</summary>
internal sealed class BertPooler : Module<Tensor, Tensor>
{
    private readonly Linear dense;

    public BertPooler(BertConfig config) : base(nameof(BertPooler))
    {
        dense = Linear(config.HiddenSize, config.HiddenSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden) => tanh(dense.forward(hidden.select(1, 0)));
}
