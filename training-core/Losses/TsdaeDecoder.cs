using StTrain.Core.Models.Bert;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StTrain.Core.Losses;

/// <summary>
/// The TSDAE decoder: a BERT stack run causally (each position sees itself and earlier ones), every layer with a
/// cross-attention block over a one-token memory (the sentence embedding), followed by BERT's masked-LM head whose
/// output projection is the word-embedding matrix. Per layer, as Hugging Face's BertLayer with add_cross_attention:
/// a = LN(x + W_o SelfAttn_causal(x)); c = LN(a + W_co CrossAttn(a, m)); y = LN(c + W_2 act(W_1 c)).
/// Head: logits = LN(act(W_t y)) E^T + b, E the word embeddings.
/// </summary>
/// <remarks>
/// The BERT weights (embeddings, self-attention, feed-forward, their LayerNorms) are read by name from
/// <c>bert</c>, a dictionary of Hugging Face BertModel parameter names; with tie_encoder_decoder these are the
/// encoder's own parameters (shared, trained through the model, not registered here), otherwise a separate BERT's.
/// The decoder owns only the cross-attention blocks and the head transform and bias, initialised as Hugging Face
/// initialises new weights (normal(0, 0.02), LayerNorm 1 / 0, bias 0) unless a checkpoint provides the head.
/// </remarks>
internal sealed class TsdaeDecoder : Module<Tensor, Tensor, Tensor>
{
    private readonly IReadOnlyDictionary<string, Parameter> bert;
    private readonly BertConfig config;
#pragma warning disable IDE1006 // Names follow Hugging Face's BertLMHeadModel where a counterpart exists.
    private readonly ModuleList<TsdaeCrossAttention> crossattention;
    private readonly Linear transform_dense;
    private readonly LayerNorm transform_LayerNorm;
    private readonly Parameter bias;
#pragma warning restore IDE1006

    public TsdaeDecoder(BertConfig config, IReadOnlyDictionary<string, Parameter> bert, Device device)
        : base(nameof(TsdaeDecoder))
    {
        this.config = config;
        this.bert = bert;
        crossattention = new ModuleList<TsdaeCrossAttention>(Enumerable.Range(0, config.NumHiddenLayers)
            .Select(_ => new TsdaeCrossAttention(config)).ToArray());
        transform_dense = Linear(config.HiddenSize, config.HiddenSize);
        transform_LayerNorm = LayerNorm(config.HiddenSize, config.LayerNormEps);
        bias = new Parameter(zeros(config.VocabSize));
        RegisterComponents();
        using (no_grad())
        {
            foreach (var (name, parameter) in named_parameters())
            {
                if (name.EndsWith("LayerNorm.weight", StringComparison.Ordinal)) parameter.fill_(1.0);
                else if (parameter.dim() == 2) parameter.normal_(0.0, 0.02);
                else parameter.zero_();
            }
        }

        this.to(device);
    }

    /// <summary>Copies the masked-LM head transform and bias from a checkpoint's cls.predictions.* tensors.</summary>
    public bool TryLoadHead(IReadOnlyDictionary<string, Tensor> checkpoint)
    {
        var sources = new (string Key, Tensor Target)[]
        {
            ("cls.predictions.transform.dense.weight", transform_dense.weight!),
            ("cls.predictions.transform.dense.bias", transform_dense.bias!),
            ("cls.predictions.transform.LayerNorm.weight", transform_LayerNorm.weight!),
            ("cls.predictions.transform.LayerNorm.bias", transform_LayerNorm.bias!),
            ("cls.predictions.bias", bias),
        };
        if (!sources.All(s => checkpoint.TryGetValue(s.Key, out Tensor? t) && t.shape.SequenceEqual(s.Target.shape)))
        {
            return false;
        }

        using var noGrad = no_grad();
        foreach ((string key, Tensor target) in sources) target.copy_(checkpoint[key].to(target.dtype));
        return true;
    }

    /// <summary>Logits [B, T, V] for decoder inputs [B, T] given the memory (sentence embeddings) [B, H].</summary>
    public override Tensor forward(Tensor inputIds, Tensor memory)
    {
        long batch = inputIds.shape[0], length = inputIds.shape[1];
        double dropout = training ? config.HiddenDropoutProb : 0.0;
        Tensor positions = arange(length, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0);
        Tensor hidden = P("embeddings.word_embeddings.weight").index_select(0, inputIds.reshape(-1))
                            .view(batch, length, -1)
                        + P("embeddings.position_embeddings.weight").index_select(0, positions.reshape(-1))
                            .unsqueeze(0)
                        + P("embeddings.token_type_embeddings.weight")[0];
        hidden = functional.dropout(Norm(hidden, "embeddings.LayerNorm"), dropout, training);

        // Additive causal mask [T, T]: position i attends to positions 0..i only.
        Tensor causal = ones(length, length, dtype: ScalarType.Bool, device: inputIds.device).triu(1);
        Tensor causalBias = zeros(length, length, dtype: hidden.dtype, device: hidden.device)
            .masked_fill(causal, double.NegativeInfinity);
        Tensor memoryTokens = memory.unsqueeze(1);
        for (int layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            string prefix = $"encoder.layer.{layer}.";
            Tensor context = Attend(Lin(hidden, prefix + "attention.self.query"),
                Lin(hidden, prefix + "attention.self.key"), Lin(hidden, prefix + "attention.self.value"),
                causalBias);
            Tensor attended = Norm(functional.dropout(Lin(context, prefix + "attention.output.dense"), dropout,
                training) + hidden, prefix + "attention.output.LayerNorm");
            Tensor crossed = crossattention[layer].forward(attended, memoryTokens);
            Tensor inner = Activation(Lin(crossed, prefix + "intermediate.dense"));
            hidden = Norm(functional.dropout(Lin(inner, prefix + "output.dense"), dropout, training) + crossed,
                prefix + "output.LayerNorm");
        }

        Tensor transformed = transform_LayerNorm.forward(Activation(transform_dense.forward(hidden)));
        return functional.linear(transformed, P("embeddings.word_embeddings.weight"), bias);
    }

    private Tensor Attend(Tensor query, Tensor key, Tensor value, Tensor? mask)
    {
        long batch = query.shape[0], width = query.shape[2];
        int heads = config.NumAttentionHeads;
        Tensor Split(Tensor t) => t.view(batch, t.shape[1], heads, width / heads).transpose(1, 2);
        Tensor context = functional.scaled_dot_product_attention(Split(query), Split(key), Split(value),
            attn_mask: mask, p: training ? config.AttentionProbsDropoutProb : 0.0);
        return context.transpose(1, 2).reshape(batch, query.shape[1], width);
    }

    private Parameter P(string name) => bert.TryGetValue(name, out Parameter? p)
        ? p
        : throw new InvalidOperationException($"DenoisingAutoEncoderLoss: the BERT weights lack '{name}'.");

    private Tensor Lin(Tensor x, string name) => functional.linear(x, P(name + ".weight"), P(name + ".bias"));

    private Tensor Norm(Tensor x, string name) => functional.layer_norm(x, [config.HiddenSize],
        P(name + ".weight"), P(name + ".bias"), config.LayerNormEps);

    private Tensor Activation(Tensor x) => config.HiddenAct switch
    {
        "gelu" => functional.gelu(x),
        "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" =>
            0.5 * x * (1.0 + tanh(Math.Sqrt(2.0 / Math.PI) * (x + 0.044715 * x.pow(3)))),
        "relu" => functional.relu(x),
        "silu" or "swish" => functional.silu(x),
        _ => throw new NotSupportedException($"DenoisingAutoEncoderLoss: hidden_act '{config.HiddenAct}' is not " +
                                             "supported (gelu, gelu_new, relu, silu are)."),
    };

    /// <summary>
    /// One cross-attention block: queries from the decoder, keys and values from the memory tokens;
    /// c = LN(a + dropout(W_o Attn(W_q a, W_k m, W_v m))).
    /// </summary>
    internal sealed class TsdaeCrossAttention : Module<Tensor, Tensor, Tensor>
    {
        private readonly BertConfig config;
#pragma warning disable IDE1006
        private readonly Linear query;
        private readonly Linear key;
        private readonly Linear value;
        private readonly Linear dense;
        private readonly LayerNorm LayerNorm;
#pragma warning restore IDE1006

        public TsdaeCrossAttention(BertConfig config) : base(nameof(TsdaeCrossAttention))
        {
            this.config = config;
            query = Linear(config.HiddenSize, config.HiddenSize);
            key = Linear(config.HiddenSize, config.HiddenSize);
            value = Linear(config.HiddenSize, config.HiddenSize);
            dense = Linear(config.HiddenSize, config.HiddenSize);
            LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
            RegisterComponents();
        }

        public override Tensor forward(Tensor attended, Tensor memory)
        {
            long batch = attended.shape[0], width = attended.shape[2];
            int heads = config.NumAttentionHeads;
            Tensor Split(Tensor t) => t.view(batch, t.shape[1], heads, width / heads).transpose(1, 2);
            Tensor context = functional.scaled_dot_product_attention(Split(query.forward(attended)),
                Split(key.forward(memory)), Split(value.forward(memory)),
                p: training ? config.AttentionProbsDropoutProb : 0.0);
            context = context.transpose(1, 2).reshape(batch, attended.shape[1], width);
            double dropout = training ? config.HiddenDropoutProb : 0.0;
            return LayerNorm.forward(functional.dropout(dense.forward(context), dropout, training) + attended);
        }
    }
}
