using System.Buffers.Binary;
using System.Text;

namespace StTrain.Core.Training.Observability;

/// <summary>
/// Writes a TensorBoard event file (events.out.tfevents.*) holding scalar summaries, in plain C#.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 ships torch.utils.tensorboard.SummaryWriter, and its record framing is valid, but it stamps the
/// file_version event with DateTime.Now.Ticks (100 ns units since year 1, not Unix seconds), accepts wall times only
/// as whole seconds, takes local time for UTC, reopens the file for every scalar and needs the native LibTorchSharp
/// for its CRC. This writer keeps one stream open, stamps Unix seconds with sub-second precision and has no native
/// dependency. File layout, per record: uint64 length, uint32 masked_crc32c(length bytes), payload,
/// uint32 masked_crc32c(payload); little-endian. Payload: an Event protobuf message.
/// </remarks>
public sealed class TensorBoardEventWriter : IDisposable
{
    private static int fileCounter;
    private readonly FileStream stream;
    private readonly object gate = new();
    private bool disposed;

    /// <summary>Creates <paramref name="logDirectory"/> and a new event file there, opened with a version record.
    /// </summary>
    public TensorBoardEventWriter(string logDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(logDirectory);
        Directory.CreateDirectory(logDirectory);
        long seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        int counter = Interlocked.Increment(ref fileCounter);
        // TensorBoard only picks up files whose name contains "tfevents"; host, pid and counter keep names unique.
        string name = $"events.out.tfevents.{seconds}.{SafeHostName()}.{Environment.ProcessId}.{counter}";
        FilePath = Path.Combine(logDirectory, name);
        stream = new FileStream(FilePath, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        WriteRecord(EncodeFileVersionEvent(UnixNow(), "brain.Event:2"));
        stream.Flush();
    }

    public string FilePath { get; }

    /// <summary>Appends one scalar event: summary { value { tag, simple_value } } at the given step.</summary>
    /// <param name="wallTime">Seconds since the Unix epoch (UTC); now when null.</param>
    public void WriteScalar(string tag, float value, long step, double? wallTime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            WriteRecord(EncodeScalarEvent(wallTime ?? UnixNow(), step, tag, value));
        }
    }

    /// <summary>Pushes buffered records to disk so a running TensorBoard sees them.</summary>
    public void Flush()
    {
        lock (gate)
        {
            if (!disposed) stream.Flush();
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            stream.Flush();
            stream.Dispose();
        }
    }

    /// <summary>Seconds since 1970-01-01T00:00:00Z with millisecond-or-better resolution.</summary>
    public static double UnixNow() =>
        (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / (double)TimeSpan.TicksPerSecond;

    private void WriteRecord(byte[] payload)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc32C(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc32C(payload));
        stream.Write(header);
        stream.Write(payload);
        stream.Write(footer);
    }

    private static string SafeHostName()
    {
        string host = Environment.MachineName;
        var clean = new StringBuilder(host.Length);
        foreach (char c in host) clean.Append(char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_');
        return clean.Length == 0 ? "localhost" : clean.ToString();
    }

    /// <summary>
    /// Marks a restart at <paramref name="step"/>: TensorBoard drops every event of this run with a step at or after
    /// it that an earlier event file holds, so a resumed run's curves do not show the steps a killed process logged
    /// after its last checkpoint.
    /// </summary>
    public void WriteSessionStart(long step, double? wallTime = null)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            WriteRecord(EncodeSessionStartEvent(wallTime ?? UnixNow(), step));
        }
    }

    // SessionLog: 1 status (enum, START = 1). Event field 7 session_log (6 is the deprecated log_message).
    private static byte[] EncodeSessionStartEvent(double wallTime, long step)
    {
        var session = new ProtoBuffer();
        session.Varint(1, 1);
        var evt = new ProtoBuffer();
        evt.Double(1, wallTime);
        if (step != 0) evt.Varint(2, (ulong)step);
        evt.Bytes(7, session.ToArray());
        return evt.ToArray();
    }

    // Event fields: 1 wall_time (double), 2 step (int64), 3 file_version (string), 5 summary (Summary).
    // Summary: 1 value (repeated Summary.Value). Summary.Value: 1 tag (string), 2 simple_value (float).
    private static byte[] EncodeFileVersionEvent(double wallTime, string version)
    {
        var proto = new ProtoBuffer();
        proto.Double(1, wallTime);
        proto.Bytes(3, Encoding.UTF8.GetBytes(version));
        return proto.ToArray();
    }

    private static byte[] EncodeScalarEvent(double wallTime, long step, string tag, float value)
    {
        var scalar = new ProtoBuffer();
        scalar.Bytes(1, Encoding.UTF8.GetBytes(tag));
        scalar.Float(2, value);
        var summary = new ProtoBuffer();
        summary.Bytes(1, scalar.ToArray());
        var evt = new ProtoBuffer();
        evt.Double(1, wallTime);
        if (step != 0) evt.Varint(2, (ulong)step); // proto3 omits default values
        evt.Bytes(5, summary.ToArray());
        return evt.ToArray();
    }

    /// <summary>masked = rotate_right(crc32c, 15) + 0xa282ead8, the TFRecord convention.</summary>
    internal static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    private static readonly uint[] Crc32CTable = BuildCrc32CTable();

    /// <summary>CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, initial and final XOR 0xFFFFFFFF.</summary>
    internal static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data) crc = Crc32CTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildCrc32CTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>Just the protobuf wire encoding this file needs: varint, fixed64, fixed32, length-delimited.</summary>
    private sealed class ProtoBuffer
    {
        private readonly MemoryStream bytes = new();

        public void Varint(int field, ulong value)
        {
            Key(field, 0);
            WriteVarint(value);
        }

        public void Double(int field, double value)
        {
            Key(field, 1);
            Span<byte> buffer = stackalloc byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(buffer, value);
            bytes.Write(buffer);
        }

        public void Float(int field, float value)
        {
            Key(field, 5);
            Span<byte> buffer = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(buffer, value);
            bytes.Write(buffer);
        }

        public void Bytes(int field, byte[] value)
        {
            Key(field, 2);
            WriteVarint((ulong)value.Length);
            bytes.Write(value);
        }

        public byte[] ToArray() => bytes.ToArray();

        // key = (field_number << 3) | wire_type
        private void Key(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                bytes.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            bytes.WriteByte((byte)value);
        }
    }
}
