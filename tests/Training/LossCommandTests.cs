using System.Globalization;
using System.Text.Json;
using StTrain.Core.Models;
using StTrain.Core.Runtime;
using StTrain.Server.Commands;
using Xunit;

namespace StTrain.Tests.Training;

/// <summary>
/// `st-train loss` on the bundled all-MiniLM-L6-v2 against the losses computed here by hand from the model's own
/// embeddings (SentenceTransformer.Encode) with plain loops: MultipleNegativesRankingLoss (scale 20, cosine) and
/// CoSENTLoss (scale 20).
/// </summary>
public sealed class LossCommandTests : IDisposable
{
    private const string ModelId = "sentence-transformers/all-MiniLM-L6-v2";
    private const double Scale = 20.0;

    private static readonly string[] Anchors =
    [
        "how do i bake bread at home", "what is the capital of france", "symptoms of the common cold",
        "best way to learn a new language", "why is the sky blue", "how far away is the moon",
    ];

    private static readonly string[] Positives =
    [
        "mix flour, water, yeast and salt, let it rise, then bake it in a hot oven",
        "paris is the capital and largest city of france",
        "a runny nose, sneezing, a sore throat and a mild cough",
        "practise speaking every day and read simple books in that language",
        "sunlight is scattered by the air, and blue light scatters the most",
        "the moon is about 384,000 kilometres from the earth",
    ];

    private static readonly string[] Negatives =
    [
        "bread prices rose sharply last year", "france won the football world cup", "colds are more common in winter",
        "many people speak two languages", "the sea looks blue on sunny days", "a rocket needs a lot of fuel",
    ];

    private static readonly double[] Scores = [0.05, 0.9, 0.4, 0.7, 0.2, 0.55];

    private readonly string root = Directory.CreateTempSubdirectory("st-train-loss-").FullName;

    public LossCommandTests() => TorchRuntime.Initialize();

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Write(string name, IEnumerable<object> rows)
    {
        string path = Path.Combine(root, name);
        File.WriteAllLines(path, rows.Select(r => JsonSerializer.Serialize(r)));
        return path;
    }

    /// <summary>Runs the CLI command in this process and returns the value of its last "loss=" line.</summary>
    private static double RunLossCommand(params string[] args)
    {
        var original = Console.Out;
        var captured = new StringWriter(CultureInfo.InvariantCulture);
        int code;
        Console.SetOut(captured);
        try
        {
            code = LossCommand.Run(args);
        }
        finally
        {
            Console.SetOut(original);
        }
        Assert.Equal(0, code);
        string line = captured.ToString().Split('\n').Select(l => l.Trim())
            .Last(l => l.StartsWith("loss=", StringComparison.Ordinal));
        return double.Parse(line["loss=".Length..], NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return dot / (Math.Sqrt(na) * Math.Sqrt(nb));
    }

    private static double LogSumExp(IReadOnlyList<double> values)
    {
        double max = values.Max();
        double sum = 0;
        foreach (double v in values) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    /// <summary>
    /// MNRL: mean over anchors i of −log softmax_j(scale · cos(a_i, c_j))[i], candidates c = positives ++ negatives.
    /// </summary>
    private static double ReferenceMnrl(float[][] anchors, params float[][][] candidateColumns)
    {
        var candidates = candidateColumns.SelectMany(c => c).ToList();
        double total = 0;
        for (int i = 0; i < anchors.Length; i++)
        {
            var logits = candidates.Select(c => Scale * Cosine(anchors[i], c)).ToList();
            total += LogSumExp(logits) - logits[i];
        }
        return total / anchors.Length;
    }

    /// <summary>CoSENT: log(1 + Σ_{y_i &lt; y_j} exp(scale · (cos_i − cos_j))).</summary>
    private static double ReferenceCosent(float[][] left, float[][] right, double[] labels)
    {
        var cos = left.Select((u, i) => Scale * Cosine(u, right[i])).ToArray();
        var terms = new List<double> { 0.0 };
        for (int i = 0; i < cos.Length; i++)
            for (int j = 0; j < cos.Length; j++)
                if (labels[i] < labels[j]) terms.Add(cos[i] - cos[j]);
        return LogSumExp(terms);
    }

    private static float[][] Encode(SentenceTransformer model, string[] texts) => model.Encode(texts);

    /// <summary>The second sentence of scored pair i: its own answer for even i, the next answer for odd i.</summary>
    private static string Paired(int i) => Positives[(i + i % 2) % Positives.Length];

    [Fact]
    public void Loss_command_agrees_with_hand_computed_mnrl_and_cosent_on_the_bundled_model()
    {
        string folder = BundledModels.TryResolve(ModelId)!;
        Assert.True(File.Exists(Path.Combine(folder, "modules.json")), "the bundled model resolves offline");

        string pairs = Write("pairs.jsonl",
            Anchors.Select((a, i) => (object)new { anchor = a, positive = Positives[i] }));
        string triplets = Write("triplets.jsonl",
            Anchors.Select((a, i) => (object)new { anchor = a, positive = Positives[i], negative = Negatives[i] }));
        string scored = Write("scored.jsonl",
            Anchors.Select((a, i) => (object)new { sentence1 = a, sentence2 = Paired(i), score = Scores[i] }));

        double expectedPairs, expectedTriplets, expectedCosent;
        using (var model = SentenceTransformer.Load(ModelId))
        {
            var a = Encode(model, Anchors);
            var p = Encode(model, Positives);
            var n = Encode(model, Negatives);
            var right = Encode(model, Anchors.Select((_, i) => Paired(i)).ToArray());
            expectedPairs = ReferenceMnrl(a, p);
            expectedTriplets = ReferenceMnrl(a, p, n);
            expectedCosent = ReferenceCosent(a, right, Scores);
        }

        // The reference values are not degenerate: a wrong sign or a missing term would move them.
        Assert.InRange(expectedPairs, 1e-4, 5);
        Assert.True(expectedTriplets > expectedPairs, "hard negatives add candidates, so the loss grows");
        Assert.InRange(expectedCosent, 0.1, 100);

        double pairsLoss = RunLossCommand("--model", ModelId, "--loss", "MultipleNegativesRankingLoss",
            "--param", "scale=20", "--param", "similarity_fct=cos_sim", "--data", pairs);
        double tripletLoss = RunLossCommand("--model", ModelId, "--loss", "MultipleNegativesRankingLoss",
            "--data", triplets);
        double cosentLoss = RunLossCommand("--model", ModelId, "--loss", "CoSENTLoss", "--param", "scale=20",
            "--data", scored);

        Assert.Equal(expectedPairs, pairsLoss, 1e-4);
        Assert.Equal(expectedTriplets, tripletLoss, 1e-4);
        Assert.Equal(expectedCosent, cosentLoss, 1e-4);
    }

    [Fact]
    public void Loss_command_refuses_data_that_does_not_fit_the_loss()
    {
        string single = Write("single.jsonl", Anchors.Select(a => (object)new { text = a }));
        var error = Assert.Throws<UsageException>(() =>
            LossCommand.Run(["--model", ModelId, "--loss", "MultipleNegativesRankingLoss", "--data", single]));
        Assert.Contains("text column", error.Message, StringComparison.Ordinal);
    }
}

