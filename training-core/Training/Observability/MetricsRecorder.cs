using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace StTrain.Core.Training.Observability;

/// <summary>
/// Records a run's metrics as they are logged: one JSON object per line in metrics.jsonl
/// ({"step": .., "epoch": .., "time": "ISO-8601 UTC", key: value, ...}), the same values as TensorBoard scalars under
/// tensorboard/, and on request a curves.png of loss and one metric over steps. Every line is flushed as soon as it
/// is written so monitors can follow a live run. Thread-safe.
/// </summary>
/// <remarks>
/// JSON has no NaN or infinity; such values are written as the strings "NaN", "Infinity" and "-Infinity" (the
/// convention of System.Text.Json's named floating-point literals) and read back as the doubles they name.
/// </remarks>
public sealed class MetricsRecorder : IDisposable
{
    public const string MetricsFileName = "metrics.jsonl";
    public const string TensorBoardDirectoryName = "tensorboard";

    private static readonly HashSet<string> ReservedKeys = ["step", "epoch", "time"];
    private static readonly JavaScriptEncoder RelaxedEscaping = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    private readonly object gate = new();
    private readonly List<MetricRecord> records = [];
    private readonly FileStream metricsStream;
    private readonly TensorBoardEventWriter tensorBoard;
    private bool disposed;

    /// <summary>Starts a fresh record in <paramref name="runDirectory"/>, replacing earlier metrics there.</summary>
    public MetricsRecorder(string runDirectory) : this(runDirectory, resume: false)
    {
    }

    /// <summary>
    /// Creates <paramref name="runDirectory"/> and opens its metrics files. With <paramref name="resume"/> false an
    /// existing metrics.jsonl is truncated and old event files under tensorboard/ are deleted, so a re-run does not
    /// mix its curves with the previous one's. With <paramref name="resume"/> true the existing lines are loaded into
    /// <see cref="Records"/> and new ones are appended; TensorBoard gets a new event file next to the old ones.
    /// </summary>
    public MetricsRecorder(string runDirectory, bool resume) : this(runDirectory, resume, resumedFromStep: null)
    {
    }

    /// <summary>
    /// As <see cref="MetricsRecorder(string, bool)"/>; when resuming from a checkpoint taken at
    /// <paramref name="resumedFromStep"/>, the lines a killed process logged after that step are dropped from
    /// metrics.jsonl (the resumed run logs those steps again) and TensorBoard is told to drop them too.
    /// </summary>
    public MetricsRecorder(string runDirectory, bool resume, int? resumedFromStep)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        RunDirectory = Path.GetFullPath(runDirectory);
        Directory.CreateDirectory(RunDirectory);
        MetricsPath = Path.Combine(RunDirectory, MetricsFileName);
        TensorBoardDirectory = Path.Combine(RunDirectory, TensorBoardDirectoryName);

        if (resume && File.Exists(MetricsPath))
        {
            var previous = ReadJsonl(MetricsPath);
            var kept = resumedFromStep is { } last ? previous.Where(r => r.Step <= last).ToList() : previous.ToList();
            if (kept.Count != previous.Count) Rewrite(MetricsPath, kept);
            records.AddRange(kept);
        }
        if (!resume && Directory.Exists(TensorBoardDirectory))
            foreach (string old in Directory.EnumerateFiles(TensorBoardDirectory, "events.out.tfevents.*"))
                File.Delete(old);

        metricsStream = new FileStream(MetricsPath, resume ? FileMode.Append : FileMode.Create, FileAccess.Write,
            FileShare.Read);
        try
        {
            tensorBoard = new TensorBoardEventWriter(TensorBoardDirectory);
            if (resume && resumedFromStep is { } step) tensorBoard.WriteSessionStart(step + 1);
        }
        catch
        {
            metricsStream.Dispose();
            tensorBoard?.Dispose();
            throw;
        }
    }

    /// <summary>Replaces a metrics file with <paramref name="kept"/>, through a temporary file and a rename.</summary>
    private static void Rewrite(string path, IReadOnlyList<MetricRecord> kept)
    {
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            foreach (var record in kept) stream.Write(EncodeLine(record));
        }
        File.Move(temporary, path, overwrite: true);
    }

    public string RunDirectory { get; }
    public string MetricsPath { get; }
    public string TensorBoardDirectory { get; }

    /// <summary>The event file this recorder writes.</summary>
    public string TensorBoardFile => tensorBoard.FilePath;

    /// <summary>Everything logged so far (plus the reloaded lines when resuming), in logging order.</summary>
    public IReadOnlyList<MetricRecord> Records
    {
        get
        {
            lock (gate) return records.ToArray();
        }
    }

    /// <summary>
    /// Appends one line to metrics.jsonl and one TensorBoard scalar per value (tag = key, at <paramref name="step"/>).
    /// Keys keep the dictionary's order; "step", "epoch" and "time" are reserved for the line's own fields.
    /// </summary>
    public void Log(int step, double epoch, IReadOnlyDictionary<string, double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (step < 0)
            throw new ArgumentOutOfRangeException(nameof(step), step,
                $"step {step} is negative; log the optimizer step count (0 for a baseline before training)");
        foreach (string key in values.Keys)
        {
            if (string.IsNullOrWhiteSpace(key))
                throw new ArgumentException("a metric key is empty; name every value, e.g. \"train/loss\"",
                    nameof(values));
            if (ReservedKeys.Contains(key))
                throw new ArgumentException(
                    $"metric key \"{key}\" clashes with the line's own \"{key}\" field; " +
                    $"prefix it, e.g. \"train/{key}\"",
                    nameof(values));
        }

        // Kept to the millisecond the file stores, so Records and a reload of metrics.jsonl compare equal.
        var now = DateTimeOffset.UtcNow;
        var time = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        var copy = new Dictionary<string, double>(values.Count);
        foreach (var (key, value) in values) copy[key] = value;
        var record = new MetricRecord(step, epoch, copy) { Time = time };
        byte[] line = EncodeLine(record);
        double wallTime = (time - DateTimeOffset.UnixEpoch).Ticks / (double)TimeSpan.TicksPerSecond;

        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            metricsStream.Write(line);
            metricsStream.Flush();
            foreach (var (key, value) in copy) tensorBoard.WriteScalar(key, (float)value, step, wallTime);
            tensorBoard.Flush();
            records.Add(record);
        }
    }

    /// <summary>Renders curves.png from everything logged so far; see <see cref="CurveChart"/>.</summary>
    public void RenderCurves(string pngPath, string lossKey, string metricKey) =>
        RenderCurves(Records, pngPath, lossKey, metricKey);

    /// <summary>Renders curves.png from any list of records, e.g. one reloaded with <see cref="ReadJsonl"/>.</summary>
    public static void RenderCurves(IReadOnlyList<MetricRecord> records, string pngPath, string lossKey,
        string metricKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pngPath);
        PngEncoder.Save(CurveChart.Render(records, lossKey, metricKey), pngPath);
    }

    /// <summary>
    /// Reads a metrics.jsonl file. Blank lines are skipped; anything else that is not an object with an integer
    /// "step" and numeric values raises <see cref="InvalidDataException"/> naming the file, line and field.
    /// </summary>
    public static IReadOnlyList<MetricRecord> ReadJsonl(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"metrics file {path} does not exist; a run writes it as runs/RUN_NAME/{MetricsFileName}", path);

        var result = new List<MetricRecord>();
        int lineNumber = 0;
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read,
            FileShare.ReadWrite | FileShare.Delete), Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            result.Add(ParseLine(line, path, lineNumber));
        }
        return result;
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            metricsStream.Dispose();
            tensorBoard.Dispose();
        }
    }

    private static byte[] EncodeLine(MetricRecord record)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps keys such as "eval/acc+f1" or non-ASCII names readable (and greppable) in the file;
        // the output is never embedded in HTML.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = RelaxedEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("step", record.Step);
            WriteDouble(json, "epoch", record.Epoch);
            if (record.Time is { } time)
                json.WriteString("time", time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'",
                    CultureInfo.InvariantCulture));
            foreach (var (key, value) in record.Values) WriteDouble(json, key, value);
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static void WriteDouble(Utf8JsonWriter json, string key, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(key, value);
        else json.WriteString(key, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }

    private static MetricRecord ParseLine(string line, string path, int lineNumber)
    {
        string where = $"{path} line {lineNumber}";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{where}: not valid JSON ({e.Message}); each line must be one object " +
                                           "such as {\"step\": 10, \"epoch\": 0.5, \"train/loss\": 1.2}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{where}: expected a JSON object, found {root.ValueKind}");
            if (!root.TryGetProperty("step", out var stepElement) || !stepElement.TryGetInt32(out int step))
                throw new InvalidDataException($"{where}: \"step\" is missing or not an integer; every line needs " +
                                               "the optimizer step it was logged at, e.g. \"step\": 100");
            double epoch = root.TryGetProperty("epoch", out var epochElement)
                ? ReadDouble(epochElement, where, "epoch")
                : 0;
            DateTimeOffset? time = null;
            if (root.TryGetProperty("time", out var timeElement))
            {
                if (timeElement.ValueKind != JsonValueKind.String ||
                    !DateTimeOffset.TryParse(timeElement.GetString(), CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                    throw new InvalidDataException(
                        $"{where}: \"time\" is {timeElement.GetRawText()}; expected an ISO-8601 string such as " +
                        "\"2025-01-31T12:00:00.000Z\"");
                time = parsed;
            }

            var values = new Dictionary<string, double>();
            foreach (var property in root.EnumerateObject())
            {
                if (ReservedKeys.Contains(property.Name)) continue;
                values[property.Name] = ReadDouble(property.Value, where, property.Name);
            }
            return new MetricRecord(step, epoch, values) { Time = time };
        }
    }

    private static double ReadDouble(JsonElement element, string where, string key)
    {
        if (element.ValueKind == JsonValueKind.Number) return element.GetDouble();
        if (element.ValueKind == JsonValueKind.String)
        {
            switch (element.GetString())
            {
                case "NaN": return double.NaN;
                case "Infinity": return double.PositiveInfinity;
                case "-Infinity": return double.NegativeInfinity;
            }
        }
        throw new InvalidDataException(
            $"{where}: \"{key}\" is {element.GetRawText()}; every field other than \"time\" must be a number " +
            "(or \"NaN\", \"Infinity\", \"-Infinity\")");
    }
}
