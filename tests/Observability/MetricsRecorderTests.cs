using System.Text.Json;
using StTrain.Core.Training.Observability;
using Xunit;

namespace StTrain.Tests.Observability;

public sealed class MetricsRecorderTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("st-train-observe-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static Dictionary<string, double> V(params (string Key, double Value)[] values) =>
        values.ToDictionary(v => v.Key, v => v.Value);

    [Fact]
    public void Log_writes_one_json_object_per_line_with_step_epoch_time_and_values_in_order()
    {
        string run = Path.Combine(root, "run");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        using (var recorder = new MetricsRecorder(run))
        {
            recorder.Log(0, 0, V(("eval/dev_cosine_ndcg@10", 0.5)));
            recorder.Log(10, 0.25, V(("train/loss", 1.75), ("train/learning_rate", 2e-5)));
        }
        var after = DateTimeOffset.UtcNow.AddSeconds(1);

        string[] lines = File.ReadAllLines(Path.Combine(run, "metrics.jsonl"));
        Assert.Equal(2, lines.Length);
        using var doc = JsonDocument.Parse(lines[1]);
        var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["step", "epoch", "time", "train/loss", "train/learning_rate"], names);
        Assert.Equal(10, doc.RootElement.GetProperty("step").GetInt32());
        Assert.Equal(0.25, doc.RootElement.GetProperty("epoch").GetDouble());
        Assert.Equal(1.75, doc.RootElement.GetProperty("train/loss").GetDouble());
        Assert.Equal(2e-5, doc.RootElement.GetProperty("train/learning_rate").GetDouble());
        string time = doc.RootElement.GetProperty("time").GetString()!;
        Assert.EndsWith("Z", time);
        var parsed = DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(parsed, before, after);
    }

    [Fact]
    public void Jsonl_round_trips_exact_doubles_non_finite_values_and_matches_Records()
    {
        var rng = new Random(42);
        string run = Path.Combine(root, "roundtrip");
        using var recorder = new MetricsRecorder(run);
        var expected = new List<(int Step, double Epoch, Dictionary<string, double> Values)>();
        for (int step = 0; step < 50; step++)
        {
            var values = V(("train/loss", rng.NextDouble() * Math.Pow(10, rng.Next(-12, 12))),
                ("train/grad_norm", -rng.NextDouble()));
            if (step == 7) values["train/loss"] = double.NaN;
            if (step == 8) values["train/loss"] = double.PositiveInfinity;
            if (step == 9) values["train/loss"] = double.NegativeInfinity;
            double epoch = step / 3.0;
            recorder.Log(step, epoch, values);
            expected.Add((step, epoch, values));
        }

        var reloaded = MetricsRecorder.ReadJsonl(recorder.MetricsPath);
        var inMemory = recorder.Records;
        Assert.Equal(expected.Count, reloaded.Count);
        Assert.Equal(expected.Count, inMemory.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Step, reloaded[i].Step);
            Assert.Equal(expected[i].Epoch, reloaded[i].Epoch);
            Assert.Equal(expected[i].Values.Keys, reloaded[i].Values.Keys);
            foreach (var (key, value) in expected[i].Values)
            {
                Assert.Equal(value, reloaded[i].Values[key]);
                Assert.Equal(value, inMemory[i].Values[key]);
            }
            Assert.Equal(inMemory[i].Time, reloaded[i].Time);
            Assert.NotNull(reloaded[i].Time);
        }
        Assert.True(double.IsNaN(reloaded[7].Values["train/loss"]));
        Assert.Equal(double.PositiveInfinity, reloaded[8].Get("train/loss"));
        Assert.Equal(double.NegativeInfinity, reloaded[9].Get("train/loss"));
        Assert.Null(reloaded[9].Get("eval/missing"));
    }

    [Fact]
    public void Keys_with_plus_quotes_and_non_ascii_round_trip_and_stay_readable()
    {
        using var recorder = new MetricsRecorder(Path.Combine(root, "keys"));
        string key = "eval/acc+f1 \"é\"";
        recorder.Log(3, 0, V((key, 0.25)));
        string text = File.ReadAllText(recorder.MetricsPath);
        Assert.Contains("eval/acc+f1", text);
        Assert.Contains("é", text);
        Assert.Equal(0.25, MetricsRecorder.ReadJsonl(recorder.MetricsPath)[0].Values[key]);
    }

    [Fact]
    public void Records_are_a_snapshot_not_affected_by_the_callers_dictionary()
    {
        using var recorder = new MetricsRecorder(Path.Combine(root, "snapshot"));
        var values = V(("train/loss", 1.0));
        recorder.Log(1, 0, values);
        values["train/loss"] = 99;
        values["extra"] = 3;
        var snapshot = recorder.Records;
        recorder.Log(2, 0, V(("train/loss", 0.5)));
        Assert.Single(snapshot);
        Assert.Equal(1.0, snapshot[0].Values["train/loss"]);
        Assert.False(snapshot[0].Values.ContainsKey("extra"));
        Assert.Equal(2, recorder.Records.Count);
    }

    [Fact]
    public void A_fresh_recorder_replaces_old_metrics_and_a_resumed_one_appends()
    {
        string run = Path.Combine(root, "again");
        using (var first = new MetricsRecorder(run)) first.Log(1, 0, V(("train/loss", 3.0)));
        using (var resumed = new MetricsRecorder(run, resume: true))
        {
            Assert.Single(resumed.Records);
            resumed.Log(2, 0, V(("train/loss", 2.0)));
            Assert.Equal([1, 2], resumed.Records.Select(r => r.Step));
        }
        Assert.Equal([1, 2], MetricsRecorder.ReadJsonl(Path.Combine(run, "metrics.jsonl")).Select(r => r.Step));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(run, "tensorboard")).Length);

        using (var fresh = new MetricsRecorder(run))
        {
            Assert.Empty(fresh.Records);
            fresh.Log(5, 0, V(("train/loss", 1.0)));
        }
        Assert.Equal([5], MetricsRecorder.ReadJsonl(Path.Combine(run, "metrics.jsonl")).Select(r => r.Step));
        Assert.Single(Directory.GetFiles(Path.Combine(run, "tensorboard")));
    }

    [Fact]
    public void Resuming_from_a_checkpoint_drops_what_was_logged_after_it_in_both_records()
    {
        string run = Path.Combine(root, "killed");
        using (var killed = new MetricsRecorder(run))
            for (int step = 1; step <= 5; step++) killed.Log(step, 0, V(("train/loss", 10.0 - step)));

        // The checkpoint was taken at step 3; steps 4 and 5 are logged again by the resumed process.
        using (var resumed = new MetricsRecorder(run, resume: true, resumedFromStep: 3))
        {
            Assert.Equal([1, 2, 3], resumed.Records.Select(r => r.Step));
            resumed.Log(4, 0, V(("train/loss", 0.25)));
        }
        var lines = MetricsRecorder.ReadJsonl(Path.Combine(run, "metrics.jsonl"));
        Assert.Equal([1, 2, 3, 4], lines.Select(r => r.Step));
        Assert.Equal(0.25, lines[3].Values["train/loss"]);
        Assert.All(lines, r => Assert.NotNull(r.Time));

        // TensorBoard purges steps >= 4 of the older file when it meets a START session log at step 4.
        var newest = Directory.GetFiles(Path.Combine(run, "tensorboard")).Order(StringComparer.Ordinal).Last();
        var start = Assert.Single(TfRecordTestReader.ReadEvents(newest), e => e.SessionLog is not null);
        Assert.Equal(Tensorboard.SessionLog.Types.SessionStatus.Start, start.SessionLog.Status);
        Assert.Equal(4, start.Step);
    }

    [Fact]
    public void Bad_log_arguments_are_rejected_with_the_offending_name()
    {
        using var recorder = new MetricsRecorder(Path.Combine(root, "bad"));
        var reserved = Assert.Throws<ArgumentException>(() => recorder.Log(1, 0, V(("step", 1.0))));
        Assert.Contains("\"step\"", reserved.Message);
        var empty = Assert.Throws<ArgumentException>(() => recorder.Log(1, 0, V(("", 1.0))));
        Assert.Contains("empty", empty.Message);
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => recorder.Log(-3, 0, V(("train/loss", 1.0))));
        Assert.Contains("-3", negative.Message);
        Assert.Empty(recorder.Records);
        Assert.Empty(File.ReadAllText(recorder.MetricsPath));

        recorder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => recorder.Log(1, 0, V(("train/loss", 1.0))));
    }

    [Fact]
    public void ReadJsonl_names_the_file_and_line_of_bad_input()
    {
        string path = Path.Combine(root, "broken.jsonl");
        File.WriteAllLines(path, ["{\"step\": 1, \"train/loss\": 2.5}", "", "{\"step\": 2, \"train/loss\": \"high\"}"]);
        var error = Assert.Throws<InvalidDataException>(() => MetricsRecorder.ReadJsonl(path));
        Assert.Contains("broken.jsonl line 3", error.Message);
        Assert.Contains("train/loss", error.Message);

        File.WriteAllLines(path, ["{\"epoch\": 1}"]);
        error = Assert.Throws<InvalidDataException>(() => MetricsRecorder.ReadJsonl(path));
        Assert.Contains("line 1", error.Message);
        Assert.Contains("\"step\"", error.Message);

        File.WriteAllLines(path, ["{\"step\": 1}", "{not json"]);
        error = Assert.Throws<InvalidDataException>(() => MetricsRecorder.ReadJsonl(path));
        Assert.Contains("line 2", error.Message);

        var missing = Assert.Throws<FileNotFoundException>(() => MetricsRecorder.ReadJsonl(Path.Combine(root, "no")));
        Assert.Contains("does not exist", missing.Message);
    }

    [Fact]
    public void Concurrent_logging_keeps_every_line_whole()
    {
        using var recorder = new MetricsRecorder(Path.Combine(root, "threads"));
        Parallel.For(0, 400, i => recorder.Log(i, i / 100.0, V(("train/loss", i * 0.5), ("train/other", -i))));
        var lines = MetricsRecorder.ReadJsonl(recorder.MetricsPath);
        Assert.Equal(400, lines.Count);
        Assert.Equal(Enumerable.Range(0, 400), lines.Select(r => r.Step).Order());
        Assert.All(lines, r => Assert.Equal(r.Step * 0.5, r.Values["train/loss"]));
        var events = TfRecordTestReader.ReadEvents(recorder.TensorBoardFile);
        Assert.Equal(1 + 800, events.Count);
    }
}
