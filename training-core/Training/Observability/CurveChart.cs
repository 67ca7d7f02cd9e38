using System.Globalization;

namespace StTrain.Core.Training.Observability;

/// <summary>
/// Draws the run's curves.png: the training loss over steps on top, one evaluation metric over steps below (the
/// step-0 baseline included when it was logged), sharing the step axis. Each panel has a title, a summary line, a
/// grid, tick marks and tick labels. NaN and infinite values are skipped and break the line; a panel with nothing
/// to draw says so instead.
/// </summary>
public static class CurveChart
{
    public const int Width = 600;
    public const int Height = 500;

    public static readonly Rgb Background = Rgb.White;
    public static readonly Rgb LossColor = new(31, 102, 170);
    public static readonly Rgb LossRawColor = new(160, 196, 228);
    public static readonly Rgb MetricColor = new(214, 96, 24);
    public static readonly Rgb BaselineColor = new(120, 120, 120);
    private static readonly Rgb GridColor = new(232, 232, 232);
    private static readonly Rgb FrameColor = new(90, 90, 90);
    private static readonly Rgb TextColor = new(25, 25, 25);
    private static readonly Rgb NoteColor = new(105, 105, 105);

    private const int PlotLeft = 72;
    private const int PlotRight = Width - 22;
    private const int PanelHeight = Height / 2;
    private const int PlotTopOffset = 50;
    private const int PlotBottomOffset = 36;
    private const int Inset = 6; // keeps end points and markers off the frame

    /// <summary>
    /// The plot rectangle (x, y, width, height) of panel 0 (loss) or 1 (metric), for tests that look at pixels.
    /// </summary>
    public static (int X, int Y, int Width, int Height) PlotArea(int panel)
    {
        int top = panel * PanelHeight + PlotTopOffset;
        return (PlotLeft, top, PlotRight - PlotLeft, PanelHeight - PlotTopOffset - PlotBottomOffset);
    }

    public static RasterCanvas Render(IReadOnlyList<MetricRecord> records, string lossKey, string metricKey)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(lossKey);
        ArgumentNullException.ThrowIfNull(metricKey);
        var loss = Series.From(records, lossKey);
        var metric = Series.From(records, metricKey);
        var canvas = new RasterCanvas(Width, Height, Background);

        // Both panels share one step range so a metric point lines up with the loss at the same step.
        var steps = loss.Finite.Concat(metric.Finite).Select(p => (double)p.Step).ToList();
        var xAxis = steps.Count == 0 ? Axis.Steps(0, 1) : Axis.Steps(steps.Min(), steps.Max());

        DrawPanel(canvas, 0, lossKey, loss, xAxis, LossSummary(loss), isLoss: true);
        DrawPanel(canvas, 1, metricKey, metric, xAxis, MetricSummary(metric), isLoss: false);
        return canvas;
    }

    private static void DrawPanel(RasterCanvas canvas, int panel, string key, Series series, Axis xAxis,
        string summary, bool isLoss)
    {
        var area = PlotArea(panel);
        int panelTop = panel * PanelHeight;
        int left = area.X, top = area.Y, right = area.X + area.Width, bottom = area.Y + area.Height;

        string title = key.Length == 0 ? "(empty key)" : key;
        int titleScale = RasterCanvas.MeasureText(title, 2) <= Width - 20 ? 2 : 1;
        int titleWidth = RasterCanvas.MeasureText(title, titleScale);
        canvas.DrawText((Width - titleWidth) / 2, panelTop + 8, title, TextColor, titleScale);
        string note = Fit(summary, Width - 20);
        canvas.DrawText((Width - RasterCanvas.MeasureText(note)) / 2, panelTop + 31, note, NoteColor);

        var finite = series.Finite;
        Axis yAxis = finite.Count == 0
            ? Axis.Values(0, 1)
            : Axis.Values(finite.Min(p => p.Value), finite.Max(p => p.Value));

        double MapX(double x) => left + Inset + (x - xAxis.Low) / (xAxis.High - xAxis.Low) * (area.Width - 2 * Inset);
        double MapY(double y) => bottom - (y - yAxis.Low) / (yAxis.High - yAxis.Low) * area.Height;

        foreach (double tick in yAxis.Ticks)
        {
            int y = (int)Math.Round(MapY(tick));
            canvas.FillRect(left + 1, y, area.Width - 1, 1, GridColor);
            canvas.FillRect(left - 4, y, 4, 1, FrameColor);
            string label = yAxis.Format(tick);
            canvas.DrawText(left - 7 - RasterCanvas.MeasureText(label), y - 3, label, TextColor);
        }
        foreach (double tick in xAxis.Ticks)
        {
            int x = (int)Math.Round(MapX(tick));
            canvas.FillRect(x, top, 1, area.Height, GridColor);
            canvas.FillRect(x, bottom, 1, 4, FrameColor);
            string label = xAxis.Format(tick);
            canvas.DrawText(x - RasterCanvas.MeasureText(label) / 2, bottom + 7, label, TextColor);
        }
        canvas.FillRect(left, top, 1, area.Height + 1, FrameColor);
        canvas.FillRect(left, bottom, area.Width, 1, FrameColor);
        canvas.FillRect(right, top, 1, area.Height + 1, GridColor.Mix(FrameColor, 0.35));
        canvas.FillRect(left, top, area.Width, 1, GridColor.Mix(FrameColor, 0.35));
        const string stepLabel = "step";
        canvas.DrawText((left + right - RasterCanvas.MeasureText(stepLabel)) / 2, bottom + 20, stepLabel, NoteColor);

        if (finite.Count == 0)
        {
            string message = series.NonFinite > 0
                ? $"no finite values for {key} ({series.NonFinite} NaN/inf)"
                : $"no data logged for {key}";
            message = Fit(message, area.Width - 12);
            canvas.DrawText((left + right - RasterCanvas.MeasureText(message)) / 2, (top + bottom) / 2 - 4, message,
                NoteColor);
            return;
        }

        var clip = (left + 1, top + 1, area.Width - 1, area.Height - 1);
        if (isLoss)
        {
            bool smooth = finite.Count >= 20;
            if (smooth)
            {
                DrawPolyline(canvas, series.Points, MapX, MapY, LossRawColor, 1.0, clip);
                DrawPolyline(canvas, series.Smoothed(), MapX, MapY, LossColor, 2.0, clip);
            }
            else
            {
                DrawPolyline(canvas, series.Points, MapX, MapY, LossColor, 2.0, clip);
                DrawMarkers(canvas, series.Points, MapX, MapY, LossColor, 2.5, clip);
            }
        }
        else
        {
            if (series.Baseline is { } baseline)
            {
                double y = Math.Floor(MapY(baseline)) + 0.5; // on a pixel centre, so the 1-pixel dashes stay crisp
                canvas.DrawDashedLine(left + 1, y, right - 1, y, BaselineColor, 1.0, 6, 4, clip);
            }
            DrawPolyline(canvas, series.Points, MapX, MapY, MetricColor, 2.0, clip);
            if (finite.Count <= 200) DrawMarkers(canvas, series.Points, MapX, MapY, MetricColor, 3.5, clip);
        }
        // A point with no finite neighbour would be invisible as a line; give it a dot.
        for (int i = 0; i < series.Points.Count; i++)
        {
            if (!double.IsFinite(series.Points[i].Value)) continue;
            bool before = i > 0 && double.IsFinite(series.Points[i - 1].Value);
            bool after = i + 1 < series.Points.Count && double.IsFinite(series.Points[i + 1].Value);
            if (!before && !after)
                canvas.FillCircle(MapX(series.Points[i].Step), MapY(series.Points[i].Value), 3.5,
                    isLoss ? LossColor : MetricColor, clip);
        }
    }

    private static void DrawPolyline(RasterCanvas canvas, IReadOnlyList<(int Step, double Value)> points,
        Func<double, double> mapX, Func<double, double> mapY, Rgb color, double width,
        (int, int, int, int) clip)
    {
        for (int i = 1; i < points.Count; i++)
        {
            var (a, b) = (points[i - 1], points[i]);
            if (!double.IsFinite(a.Value) || !double.IsFinite(b.Value)) continue;
            canvas.DrawLine(mapX(a.Step), mapY(a.Value), mapX(b.Step), mapY(b.Value), color, width, clip);
        }
    }

    private static void DrawMarkers(RasterCanvas canvas, IReadOnlyList<(int Step, double Value)> points,
        Func<double, double> mapX, Func<double, double> mapY, Rgb color, double radius, (int, int, int, int) clip)
    {
        foreach (var (step, value) in points)
            if (double.IsFinite(value)) canvas.FillCircle(mapX(step), mapY(value), radius, color, clip);
    }

    private static string LossSummary(Series series)
    {
        var finite = series.Finite;
        if (finite.Count == 0) return Skipped(series, "no points");
        var min = finite.MinBy(p => p.Value);
        string text = $"last {Number(finite[^1].Value)} at {finite[^1].Step}   " +
                      $"min {Number(min.Value)} at {min.Step}   " +
                      (finite.Count == 1 ? "1 point" : $"{finite.Count} points");
        if (finite.Count >= 20) text += ", dark = smoothed";
        return Skipped(series, text);
    }

    private static string MetricSummary(Series series)
    {
        var finite = series.Finite;
        if (finite.Count == 0) return Skipped(series, "no points");
        var max = finite.MaxBy(p => p.Value);
        var min = finite.MinBy(p => p.Value);
        string start = series.Baseline is { } b ? $"baseline {Number(b)}" : $"first {Number(finite[0].Value)}";
        return Skipped(series, $"{start}   last {Number(finite[^1].Value)}   " +
                               $"max {Number(max.Value)} at {max.Step}   min {Number(min.Value)} at {min.Step}");
    }

    private static string Skipped(Series series, string text) =>
        series.NonFinite == 0 ? text : $"{text}   {series.NonFinite} NaN/inf skipped";

    /// <summary>Cuts <paramref name="text"/> down, ending in "..", to fit <paramref name="maxWidth"/> pixels.</summary>
    private static string Fit(string text, int maxWidth)
    {
        if (RasterCanvas.MeasureText(text) <= maxWidth) return text;
        int chars = Math.Max(0, (maxWidth + (BitmapFont.Advance - BitmapFont.GlyphWidth)) / BitmapFont.Advance - 2);
        return text[..Math.Min(chars, text.Length)] + "..";
    }

    /// <summary>Four significant decimals for ordinary magnitudes, scientific notation for extreme ones.</summary>
    internal static string Number(double value)
    {
        double magnitude = Math.Abs(value);
        if (value == 0) return "0";
        return magnitude >= 1e6 || magnitude < 1e-4
            ? value.ToString("0.###e+0", CultureInfo.InvariantCulture)
            : value.ToString("0.####", CultureInfo.InvariantCulture);
    }

    /// <summary>The (step, value) points logged under one key, in step order, non-finite values kept as gaps.</summary>
    private sealed class Series
    {
        private Series(List<(int Step, double Value)> points, double? baseline)
        {
            Points = points;
            Finite = points.Where(p => double.IsFinite(p.Value)).ToList();
            NonFinite = points.Count - Finite.Count;
            Baseline = baseline;
        }

        public IReadOnlyList<(int Step, double Value)> Points { get; }
        public IReadOnlyList<(int Step, double Value)> Finite { get; }
        public int NonFinite { get; }
        public double? Baseline { get; }

        public static Series From(IReadOnlyList<MetricRecord> records, string key)
        {
            var points = new List<(int Step, double Value)>();
            foreach (var record in records)
                if (record.Values.TryGetValue(key, out double value)) points.Add((record.Step, value));
            // OrderBy is stable, so values logged twice at one step keep their logging order.
            points = points.OrderBy(p => p.Step).ToList();
            double? baseline = points.Count > 0 && points[0].Step == 0 && double.IsFinite(points[0].Value)
                ? points[0].Value
                : null;
            return new Series(points, baseline);
        }

        /// <summary>
        /// Debiased exponential moving average over the finite points, as TensorBoard smooths:
        /// ema_i = w * ema_(i-1) + (1 - w) * v_i, shown as ema_i / (1 - w^i). The weight w = 1 - 1 / (1 + n / 25)
        /// averages over roughly 1 + n / 25 points, so long runs get proportionally more smoothing.
        /// </summary>
        public IReadOnlyList<(int Step, double Value)> Smoothed()
        {
            double weight = 1 - 1 / (1 + Finite.Count / 25.0);
            var smoothed = new List<(int Step, double Value)>(Points.Count);
            double ema = 0, debias = 1;
            foreach (var (step, value) in Points)
            {
                if (!double.IsFinite(value))
                {
                    smoothed.Add((step, value));
                    continue;
                }
                ema = weight * ema + (1 - weight) * value;
                debias *= weight;
                smoothed.Add((step, ema / (1 - debias)));
            }
            return smoothed;
        }
    }

    /// <summary>A linear axis: the drawn range and ticks at round values (1, 2 or 5 times a power of ten).</summary>
    private sealed class Axis
    {
        private readonly int decimals;
        private readonly bool scientific;
        private readonly string mantissaFormat;

        private Axis(double low, double high, double tickStep)
        {
            Low = low;
            High = high;
            var ticks = new List<double>();
            if (double.IsFinite(tickStep) && tickStep > 0)
            {
                double first = Math.Ceiling(low / tickStep - 1e-9) * tickStep;
                for (int i = 0; i < 50; i++)
                {
                    double tick = first + i * tickStep;
                    if (tick > high + tickStep * 1e-9) break;
                    ticks.Add(Math.Abs(tick) < tickStep * 1e-9 ? 0 : tick);
                }
            }
            Ticks = ticks;
            // Fixed-point labels carry as many decimals as the tick step needs; values beyond [1e-4, 1e6) in size
            // switch to scientific notation with as many mantissa decimals as separate one tick from the next.
            double magnitude = Math.Max(Math.Abs(low), Math.Abs(high));
            scientific = magnitude >= 1e6 || magnitude < 1e-4;
            int stepExponent = tickStep > 0 ? (int)Math.Floor(Math.Log10(tickStep) + 1e-9) : 0;
            decimals = Math.Clamp(-stepExponent, 0, 9);
            int magnitudeExponent = magnitude > 0 ? (int)Math.Floor(Math.Log10(magnitude) + 1e-9) : 0;
            mantissaFormat = "0." + new string('#', Math.Clamp(magnitudeExponent - stepExponent, 0, 6)) + "e+0";
        }

        public double Low { get; }
        public double High { get; }
        public IReadOnlyList<double> Ticks { get; }

        public string Format(double tick) =>
            scientific ? (tick == 0 ? "0" : tick.ToString(mantissaFormat, CultureInfo.InvariantCulture))
            : tick.ToString("F" + decimals, CultureInfo.InvariantCulture);

        /// <summary>The exact step range (a single step widens to one unit), ticks at whole steps.</summary>
        public static Axis Steps(double min, double max)
        {
            if (max <= min) (min, max) = min >= 1 ? (min - 1, max + 1) : (min, min + 1);
            double step = Math.Max(1, Math.Round(NiceStep((max - min) / 6)));
            return new Axis(min, max, step);
        }

        /// <summary>The range padded by 5% each side; a (near-)constant widens by 5% of itself (0.5 around 0).
        /// </summary>
        public static Axis Values(double min, double max)
        {
            double range = max - min;
            if (!double.IsFinite(range))
            {
                // Values near ±double.MaxValue (a diverged run): halve both ends so the range stays representable;
                // the most extreme points then fall outside the plot and are clipped.
                min /= 2;
                max /= 2;
                range = max - min;
            }
            double magnitude = Math.Max(Math.Abs(min), Math.Abs(max));
            // Differences below a millionth of the values' size are rounding noise: draw them as a flat line.
            if (range <= magnitude * 1e-6)
            {
                double middle = min + range / 2;
                double pad = middle == 0 ? 0.5 : Math.Abs(middle) * 0.05;
                (min, max) = (middle - pad, middle + pad);
            }
            else
            {
                (min, max) = (min - range * 0.05, max + range * 0.05);
            }
            return new Axis(min, max, NiceStep((max - min) / 5));
        }

        /// <summary>The round number (1, 2 or 5 times 10^k) nearest to <paramref name="raw"/>.</summary>
        private static double NiceStep(double raw)
        {
            if (!(raw > 0) || !double.IsFinite(raw)) return 0;
            double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
            double normalized = raw / magnitude;
            double nice = normalized < 1.5 ? 1 : normalized < 3 ? 2 : normalized < 7 ? 5 : 10;
            return nice * magnitude;
        }
    }
}
