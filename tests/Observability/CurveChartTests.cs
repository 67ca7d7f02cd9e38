using StTrain.Core.Training.Observability;
using Xunit;

namespace StTrain.Tests.Observability;

public sealed class CurveChartTests : IDisposable
{
    private const string Loss = "train/loss";
    private const string Metric = "eval/dev_cosine_ndcg@10";
    private readonly string root = Directory.CreateTempSubdirectory("st-train-curves-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static MetricRecord R(int step, params (string Key, double Value)[] values) =>
        new(step, step / 100.0, values.ToDictionary(v => v.Key, v => v.Value));

    /// <summary>A falling noisy loss every step and a rising metric every 25 steps, baseline at step 0.</summary>
    private static List<MetricRecord> TrainingRun(int steps = 200)
    {
        var rng = new Random(5);
        var records = new List<MetricRecord> { R(0, (Metric, 0.60)) };
        for (int step = 1; step <= steps; step++)
        {
            records.Add(R(step, (Loss, 2 * Math.Exp(-step / 60.0) + 0.2 + 0.1 * rng.NextDouble())));
            if (step % 25 == 0) records.Add(R(step, (Metric, 0.60 + 0.2 * (1 - Math.Exp(-step / 80.0)))));
        }
        return records;
    }

    private PngTestDecoder.Image RenderAndDecode(IReadOnlyList<MetricRecord> records, string name,
        string lossKey = Loss, string metricKey = Metric)
    {
        string path = Path.Combine(root, name, "curves.png");
        MetricsRecorder.RenderCurves(records, path, lossKey, metricKey);
        Assert.False(File.Exists(path + ".tmp"));
        return PngTestDecoder.Decode(File.ReadAllBytes(path));
    }

    private static List<(int X, int Y)> PixelsOf(PngTestDecoder.Image image, Rgb color, int panel)
    {
        var (x0, y0, w, h) = CurveChart.PlotArea(panel);
        var found = new List<(int, int)>();
        for (int y = y0; y < y0 + h; y++)
            for (int x = x0; x < x0 + w; x++)
                if (image.Pixel(x, y) == (color.R, color.G, color.B)) found.Add((x, y));
        return found;
    }

    [Fact]
    public void Curves_png_decodes_to_600x500_with_both_series_drawn_where_the_data_says()
    {
        var image = RenderAndDecode(TrainingRun(), "run");
        Assert.Equal(CurveChart.Width, image.Width);
        Assert.Equal(CurveChart.Height, image.Height);
        Assert.Equal(["IHDR", "IDAT", "IEND"], image.ChunkTypes);

        var loss = PixelsOf(image, CurveChart.LossColor, 0);
        var raw = PixelsOf(image, CurveChart.LossRawColor, 0);
        var metric = PixelsOf(image, CurveChart.MetricColor, 1);
        Assert.True(loss.Count > 300, $"only {loss.Count} loss pixels");
        Assert.True(metric.Count > 300, $"only {metric.Count} metric pixels");
        Assert.Empty(PixelsOf(image, CurveChart.MetricColor, 0));
        Assert.Empty(PixelsOf(image, CurveChart.LossColor, 1));
        Assert.NotEmpty(raw);

        // The loss falls, so its pixels sit higher (smaller y) on the right; the metric rises the same way.
        var (x0, _, w, _) = CurveChart.PlotArea(0);
        double MeanY(List<(int X, int Y)> pixels, bool leftThird) => pixels
            .Where(p => leftThird ? p.X < x0 + w / 3 : p.X > x0 + 2 * w / 3).Average(p => p.Y);
        Assert.True(MeanY(loss, leftThird: true) < MeanY(loss, leftThird: false));
        Assert.True(MeanY(metric, leftThird: true) > MeanY(metric, leftThird: false));

        // The metric's baseline at step 0 is drawn: metric pixels reach the left edge of the plot.
        Assert.Contains(metric, p => p.X < x0 + 12);
        // The dashed baseline line is drawn across the metric panel.
        Assert.True(PixelsOf(image, CurveChart.BaselineColor, 1).Count > 100);
    }

    [Fact]
    public void Titles_and_tick_labels_put_ink_outside_the_plot_areas()
    {
        var image = RenderAndDecode(TrainingRun(), "labels");
        for (int panel = 0; panel < 2; panel++)
        {
            var (x0, y0, w, h) = CurveChart.PlotArea(panel);
            int top = panel * CurveChart.Height / 2;
            bool Dark(int x, int y) => image.Pixel(x, y) is var (r, g, b) && r < 80 && g < 80 && b < 80;
            int titleInk = 0, yLabelInk = 0, xLabelInk = 0;
            for (int y = top; y < top + 28; y++)
                for (int x = 0; x < image.Width; x++)
                    if (Dark(x, y)) titleInk++;
            for (int y = y0; y < y0 + h; y++)
                for (int x = 0; x < x0 - 5; x++)
                    if (Dark(x, y)) yLabelInk++;
            for (int y = y0 + h + 5; y < y0 + h + 18; y++)
                for (int x = x0; x < x0 + w; x++)
                    if (Dark(x, y)) xLabelInk++;
            Assert.True(titleInk > 100, $"panel {panel}: title ink {titleInk}");
            Assert.True(yLabelInk > 40, $"panel {panel}: y tick label ink {yLabelInk}");
            Assert.True(xLabelInk > 40, $"panel {panel}: x tick label ink {xLabelInk}");
        }
    }

    [Fact]
    public void A_missing_key_leaves_its_plot_without_series_pixels()
    {
        var image = RenderAndDecode(TrainingRun(), "missing", metricKey: "eval/not_logged");
        Assert.NotEmpty(PixelsOf(image, CurveChart.LossColor, 0));
        Assert.Empty(PixelsOf(image, CurveChart.MetricColor, 1));
    }

    public static TheoryData<string> EdgeCases => ["empty", "one", "constant", "nan", "all_nan", "infinite", "huge",
        "tiny", "odd_keys", "duplicate_steps", "long_run"];

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void Edge_cases_render_a_valid_image_without_throwing(string name)
    {
        List<MetricRecord> records = name switch
        {
            "empty" => [],
            "one" => [R(5, (Loss, 1.5), (Metric, 0.3))],
            "constant" => Enumerable.Range(0, 10).Select(i => R(i * 10, (Loss, 0.5), (Metric, 0))).ToList(),
            "nan" => Enumerable.Range(0, 40).Select(i => R(i, (Loss, i % 7 == 3 ? double.NaN : 1.0 / (i + 1)),
                (Metric, i % 2 == 0 ? double.NaN : i))).ToList(),
            "all_nan" => Enumerable.Range(0, 5).Select(i => R(i, (Loss, double.NaN), (Metric, double.NaN))).ToList(),
            "infinite" => [R(1, (Loss, double.PositiveInfinity)), R(2, (Loss, 1)),
                R(3, (Loss, double.NegativeInfinity)),
                R(4, (Metric, double.PositiveInfinity))],
            "huge" => [R(1, (Loss, double.MaxValue)), R(2, (Loss, -double.MaxValue)), R(3, (Metric, 1e300)),
                R(4, (Metric, -1e300))],
            "tiny" => Enumerable.Range(0, 30).Select(i => R(i, (Loss, 1e-9 * i), (Metric, 1 + 1e-12 * i))).ToList(),
            "odd_keys" => [R(1, ("loss~é\"{}", 1), ("", 2)), R(2, ("loss~é\"{}", 0.5), ("", 3))],
            "duplicate_steps" => [R(3, (Loss, 1)), R(3, (Loss, 2)), R(3, (Metric, 0.5)), R(3, (Metric, 0.7))],
            "long_run" => Enumerable.Range(0, 20000).Select(i => R(i, (Loss, Math.Sin(i / 300.0)))).ToList(),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        (string loss, string metric) = name == "odd_keys"
            ? ("loss~é\"{}", "")
            : (Loss, Metric);
        var image = RenderAndDecode(records, name, loss, metric);
        Assert.Equal(CurveChart.Width, image.Width);
        Assert.Equal(CurveChart.Height, image.Height);
    }

    [Fact]
    public void A_single_finite_point_between_gaps_is_still_visible()
    {
        var image = RenderAndDecode([R(1, (Loss, double.NaN)), R(2, (Loss, 0.7)), R(3, (Loss, double.NaN))], "dot");
        Assert.NotEmpty(PixelsOf(image, CurveChart.LossColor, 0));
    }

    [Fact]
    public void Recorder_renders_its_own_records()
    {
        using var recorder = new MetricsRecorder(Path.Combine(root, "recorder"));
        foreach (var record in TrainingRun(60)) recorder.Log(record.Step, record.Epoch, record.Values);
        string path = Path.Combine(recorder.RunDirectory, "curves.png");
        recorder.RenderCurves(path, Loss, Metric);
        var image = PngTestDecoder.Decode(File.ReadAllBytes(path));
        Assert.NotEmpty(PixelsOf(image, CurveChart.LossColor, 0));
        Assert.NotEmpty(PixelsOf(image, CurveChart.MetricColor, 1));
    }
}
