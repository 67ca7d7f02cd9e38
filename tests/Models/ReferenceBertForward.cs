using System.Text.Json;
using StTrain.Core.Models.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Tests.Models;

/// <summary>
/// A plain functional BERT forward over an imported folder's model.safetensors and config.json, written from the
/// BertModel equations, so the importer's names and transposes can be checked against ONNX Runtime without the
/// production model code:
/// h0 = LN(E_word[ids] + E_pos[t] + E_type[0]); per layer a = LN(h + Attn(h) W_o' + b_o);
/// h' = LN(a + gelu(a W_i' + b_i) W_2' + b_2), with Attn = softmax(Q K' / sqrt(d_head)) V per head.
/// </summary>
public sealed class ReferenceBertForward : IDisposable
{
    private readonly Dictionary<string, Tensor> w;
    private readonly int layers, heads;
    private readonly double eps;

    public ReferenceBertForward(string folder)
    {
        w = SafeTensorsFile.Load(Path.Combine(folder, "model.safetensors"));
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "config.json")));
        layers = config.RootElement.GetProperty("num_hidden_layers").GetInt32();
        heads = config.RootElement.GetProperty("num_attention_heads").GetInt32();
        eps = config.RootElement.GetProperty("layer_norm_eps").GetDouble();
        if (config.RootElement.GetProperty("hidden_act").GetString() != "gelu")
            throw new InvalidOperationException("The reference forward implements the erf GELU only.");
    }

    /// <summary>last_hidden_state [tokens][hidden] for one unpadded token sequence.</summary>
    public float[][] LastHiddenState(long[] ids)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        long t = ids.Length;
        var input = torch.tensor(ids).unsqueeze(0);
        var h = w["embeddings.word_embeddings.weight"].index_select(0, input.flatten()).unsqueeze(0)
                + w["embeddings.position_embeddings.weight"].narrow(0, 0, t).unsqueeze(0)
                + w["embeddings.token_type_embeddings.weight"][0];
        h = LayerNorm(h, "embeddings.LayerNorm");
        long hidden = h.shape[2], headDim = hidden / heads;
        for (int i = 0; i < layers; i++)
        {
            string p = $"encoder.layer.{i}.";
            Tensor Split(Tensor x) => x.view(1, t, heads, headDim).transpose(1, 2);
            var q = Split(Linear(h, p + "attention.self.query"));
            var k = Split(Linear(h, p + "attention.self.key"));
            var v = Split(Linear(h, p + "attention.self.value"));
            var probabilities = torch.softmax(q.matmul(k.transpose(2, 3)) / Math.Sqrt(headDim), -1);
            var context = probabilities.matmul(v).transpose(1, 2).reshape(1, t, hidden);
            var a = LayerNorm(h + Linear(context, p + "attention.output.dense"), p + "attention.output.LayerNorm");
            var inner = torch.nn.functional.gelu(Linear(a, p + "intermediate.dense"));
            h = LayerNorm(a + Linear(inner, p + "output.dense"), p + "output.LayerNorm");
        }
        var data = h.squeeze(0).contiguous().data<float>().ToArray();
        return Enumerable.Range(0, (int)t).Select(r => data.AsSpan((int)(r * hidden), (int)hidden).ToArray()).ToArray();
    }

    private Tensor Linear(Tensor x, string name) =>
        torch.nn.functional.linear(x, w[name + ".weight"], w[name + ".bias"]);

    private Tensor LayerNorm(Tensor x, string name) =>
        torch.nn.functional.layer_norm(x, [x.shape[^1]], w[name + ".weight"], w[name + ".bias"], eps);

    public void Dispose()
    {
        foreach (var tensor in w.Values) tensor.Dispose();
    }
}
