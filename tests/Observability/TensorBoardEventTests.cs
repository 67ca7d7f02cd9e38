using StTrain.Core.Training.Observability;
using Xunit;

namespace StTrain.Tests.Observability;

public sealed class TensorBoardEventTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("st-train-tfevents-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Test_crc32c_matches_the_published_check_value_and_TorchSharps_native_crc()
    {
        // The CRC-32C check value: the CRC of the ASCII digits "123456789" is 0xE3069283.
        Assert.Equal(0xE3069283u, TfRecordTestReader.Crc32C("123456789"u8));
        var rng = new Random(3);
        for (int n = 0; n < 20; n++)
        {
            byte[] data = new byte[rng.Next(0, 300)];
            rng.NextBytes(data);
            Assert.Equal(TorchSharp.Utils.CRC32C.process(data), TfRecordTestReader.Crc32C(data));
        }
    }

    [Fact]
    public void Recorder_event_file_parses_back_with_valid_crcs_and_the_scalars_written()
    {
        string run = Path.Combine(root, "run");
        double before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 - 1;
        var logged = new List<(int Step, string Tag, double Value)>();
        string file;
        using (var recorder = new MetricsRecorder(run))
        {
            recorder.Log(0, 0, new Dictionary<string, double> { ["eval/dev_cosine_ndcg@10"] = 0.61 });
            logged.Add((0, "eval/dev_cosine_ndcg@10", 0.61));
            for (int step = 1; step <= 30; step++)
            {
                double loss = 3.0 / step, lr = 5e-5 * (1 - step / 30.0);
                recorder.Log(step, step / 10.0, new Dictionary<string, double>
                {
                    ["train/loss"] = loss,
                    ["train/learning_rate"] = lr,
                });
                logged.Add((step, "train/loss", loss));
                logged.Add((step, "train/learning_rate", lr));
            }
            recorder.Log(30, 3, new Dictionary<string, double> { ["eval/dev_cosine_ndcg@10"] = double.NaN });
            logged.Add((30, "eval/dev_cosine_ndcg@10", double.NaN));
            file = recorder.TensorBoardFile;
        }
        double after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 + 1;

        Assert.StartsWith(Path.Combine(run, "tensorboard", "events.out.tfevents."), file);
        var events = TfRecordTestReader.ReadEvents(file);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.InRange(events[0].WallTime, before, after);

        var scalars = events.Skip(1).ToList();
        Assert.Equal(logged.Count, scalars.Count);
        for (int i = 0; i < logged.Count; i++)
        {
            var e = scalars[i];
            Assert.Equal(logged[i].Step, e.Step);
            Assert.InRange(e.WallTime, before, after);
            var value = Assert.Single(e.Summary.Value);
            Assert.Equal(logged[i].Tag, value.Tag);
            Assert.Equal((float)logged[i].Value, value.SimpleValue);
        }
        // Wall times never go backwards, and carry sub-second precision (not whole seconds).
        Assert.True(scalars.Zip(scalars.Skip(1)).All(p => p.Second.WallTime >= p.First.WallTime));
        Assert.Contains(events, e => e.WallTime != Math.Floor(e.WallTime));
    }

    [Fact]
    public void Writer_handles_large_steps_negative_values_and_long_unicode_tags()
    {
        string tag = "eval/" + new string('x', 200) + "_é";
        string path;
        using (var writer = new TensorBoardEventWriter(Path.Combine(root, "tb")))
        {
            writer.WriteScalar(tag, -1.5f, 5_000_000_000L, wallTime: 1_700_000_000.25);
            writer.WriteScalar("zero", 0f, 0);
            path = writer.FilePath;
        }
        var events = TfRecordTestReader.ReadEvents(path);
        Assert.Equal(3, events.Count);
        Assert.Equal(5_000_000_000L, events[1].Step);
        Assert.Equal(1_700_000_000.25, events[1].WallTime);
        Assert.Equal(tag, events[1].Summary.Value[0].Tag);
        Assert.Equal(-1.5f, events[1].Summary.Value[0].SimpleValue);
        Assert.Equal(0, events[2].Step);
        Assert.Equal("zero", events[2].Summary.Value[0].Tag);
    }

    [Fact]
    public void Two_writers_in_one_folder_get_distinct_files()
    {
        string dir = Path.Combine(root, "two");
        using var a = new TensorBoardEventWriter(dir);
        using var b = new TensorBoardEventWriter(dir);
        Assert.NotEqual(a.FilePath, b.FilePath);
        Assert.Contains("tfevents", Path.GetFileName(a.FilePath));
    }
}
