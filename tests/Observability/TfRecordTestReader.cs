using System.Buffers.Binary;
using Xunit;

namespace StTrain.Tests.Observability;

/// <summary>
/// Reads a TensorBoard event file for the tests: checks each record's masked CRC-32C (computed bit by bit here,
/// not by the writer) and parses the payload with the generated protobuf classes TorchSharp ships
/// (Tensorboard.Event), a parser independent of the writer's hand-rolled encoder.
/// </summary>
public static class TfRecordTestReader
{
    /// <summary>CRC-32C bit by bit: reflected polynomial 0x82F63B78, init and final XOR 0xFFFFFFFF.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }

    public static uint Masked(uint crc) => ((crc >> 15) | (crc << 17)) + 0xa282ead8u;

    public static List<Tensorboard.Event> ReadEvents(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var events = new List<Tensorboard.Event>();
        int offset = 0;
        while (offset < bytes.Length)
        {
            Assert.True(bytes.Length - offset >= 16, $"truncated record at byte {offset}");
            var lengthBytes = bytes.AsSpan(offset, 8);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            uint lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8));
            Assert.True(Masked(Crc32C(lengthBytes)) == lengthCrc, $"length CRC mismatch at byte {offset}");
            Assert.True(length <= (ulong)(bytes.Length - offset - 16), $"record length {length} overruns the file");
            var payload = bytes.AsSpan(offset + 12, (int)length);
            uint payloadCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 12 + (int)length));
            Assert.True(Masked(Crc32C(payload)) == payloadCrc, $"data CRC mismatch at byte {offset}");
            events.Add(Tensorboard.Event.Parser.ParseFrom(payload.ToArray()));
            offset += 16 + (int)length;
        }
        return events;
    }
}
