using System.Text.Json;

namespace StTrain.Tests.Support;

/// <summary>
/// A temporary workspace with a tiny saved model, a pairs dataset and an information-retrieval set, for running real
/// (small) training runs end to end in a few seconds.
/// </summary>
public sealed class TinyWorkspace : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("st-train-run-").FullName;
    public string ModelPath => Path.Combine(Root, "tiny-model");

    public TinyWorkspace(int pairs = 48)
    {
        using (var model = TinyModels.Create(normalize: true)) model.Save(ModelPath);
        var words = TinyModels.Words.Where(w => !w.StartsWith("##", StringComparison.Ordinal)).ToArray();
        var random = new Random(11);
        var rows = new List<object>();
        var queries = new List<object>();
        var corpus = new List<object>();
        var qrels = new List<object>();
        for (int i = 0; i < pairs; i++)
        {
            string a = words[i % words.Length], b = words[(i * 7 + 3) % words.Length];
            string anchor = $"the {a} and the {b}";
            string positive = $"{a} {b} {words[random.Next(words.Length)]}";
            rows.Add(new { anchor, positive });
            if (i < 16)
            {
                queries.Add(new { id = $"q{i}", text = anchor });
                corpus.Add(new { id = $"d{i}", text = positive });
                qrels.Add(new { query_id = $"q{i}", corpus_id = $"d{i}" });
            }
        }
        Write("data/train.jsonl", rows);
        Write("data/queries.jsonl", queries);
        Write("data/corpus.jsonl", corpus);
        Write("data/qrels.jsonl", qrels);
    }

    public void Write(string relative, IEnumerable<object> rows)
    {
        string path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, rows.Select(r => JsonSerializer.Serialize(r)));
    }

    /// <summary>
    /// A spec with MNRL on the pairs and an IR evaluator named "dev"; <paramref name="training"/> is YAML.
    /// </summary>
    public string WriteSpec(string runName, string training, string extra = "")
    {
        string defaultLearningRate =
            training.Contains("learning_rate", StringComparison.Ordinal) ? "" : "  learning_rate: 1e-3\n";
        string trainingLines = training.Replace("\n", "\n  ", StringComparison.Ordinal).Insert(0, "  ");
        string yaml = $"""
            run_name: {runName}
            model:
              id: {ModelPath}
            data:
              train:
                path: data/train.jsonl
            loss:
              name: MultipleNegativesRankingLoss
              params:
                scale: 20
            evaluators:
              - type: InformationRetrievalEvaluator
                name: dev
                data:
                  queries: data/queries.jsonl
                  corpus: data/corpus.jsonl
                  qrels: data/qrels.jsonl
            training:
              batch_sampler: no_duplicates
              per_device_train_batch_size: 8
              seed: 5
            {defaultLearningRate}{trainingLines}
            {extra}
            """;
        string path = Path.Combine(Root, $"{runName}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A test that failed mid-run may leave a file open; the temp folder is cleaned by the OS later.
        }
    }
}
