using System.Text.Json;
using System.Text.Json.Nodes;
using StTrain.Core.Models.IO;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StTrain.Core.Models.Modules;

/// <summary>
/// A feed-forward projection of the sentence embedding: activation(W·x + b). Saved as {folder}/config.json and
/// {folder}/model.safetensors with keys "linear.weight" and "linear.bias".
/// </summary>
public sealed class Dense : PipelineModule
{
    private const string Identity = "torch.nn.modules.linear.Identity";
    private const string Tanh = "torch.nn.modules.activation.Tanh";
    private static readonly string[] Activations = [Identity, Tanh, "torch.nn.modules.activation.ReLU"];

    private readonly Linear linear;

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public bool Bias { get; }
    public string ActivationFunction { get; }

    public Dense(int inFeatures, int outFeatures, bool bias = true, string activationFunction = Tanh)
        : base(nameof(Dense))
    {
        if (!Activations.Contains(activationFunction))
            throw new ArgumentException(
                $"Dense activation_function '{activationFunction}' is not supported; use one of " +
                $"{string.Join(", ", Activations)}.", nameof(activationFunction));
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Bias = bias;
        ActivationFunction = activationFunction;
        linear = Linear(inFeatures, outFeatures, hasBias: bias);
        RegisterComponents();
    }

    public override string TypeName => "sentence_transformers.models.Dense";

    public override string DefaultFolderName(int index) => $"{index}_Dense";

    public override Features forward(Features features)
    {
        var projected = linear.forward(features[Features.SentenceEmbedding]);
        projected = ActivationFunction switch
        {
            Tanh => tanh(projected),
            Identity => projected,
            _ => functional.relu(projected),
        };
        return new Features(features) { [Features.SentenceEmbedding] = projected };
    }

    public static Dense Load(string directory)
    {
        string configPath = Path.Combine(directory, "config.json");
        var json = StTrain.Core.Models.IO.ModelJson.Read(configPath)
            ?? throw new InvalidDataException($"{configPath} is empty.");
        var dense = new Dense(json["in_features"]!.GetValue<int>(), json["out_features"]!.GetValue<int>(),
            json["bias"]?.GetValue<bool>() ?? true, json["activation_function"]?.GetValue<string>() ?? Tanh);
        string weightsPath = Path.Combine(directory, "model.safetensors");
        if (!File.Exists(weightsPath))
            throw new FileNotFoundException($"{directory} has no model.safetensors for its Dense layer.");
        var weights = SafeTensorsFile.Load(weightsPath);
        using (no_grad())
        {
            foreach (var (name, parameter) in dense.named_parameters())
            {
                if (!weights.TryGetValue(name, out var value))
                    throw new InvalidDataException($"{weightsPath} lacks '{name}'.");
                parameter.copy_(value);
            }
        }
        foreach (var value in weights.Values) value.Dispose();
        return dense;
    }

    public override void Save(string directory)
    {
        var json = new JsonObject
        {
            ["in_features"] = InFeatures,
            ["out_features"] = OutFeatures,
            ["bias"] = Bias,
            ["activation_function"] = ActivationFunction,
        };
        File.WriteAllText(Path.Combine(directory, "config.json"),
            json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        SafeTensorsFile.Save(Path.Combine(directory, "model.safetensors"),
            named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter));
    }
}
