using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Models.IO;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header mapping each tensor
/// name to its dtype, shape and byte range, then the raw little-endian tensor bytes. Tensors are written in name order.
/// </summary>
public static class SafeTensorsFile
{
    private static readonly Dictionary<ScalarType, (string Name, int Size)> DTypes = new()
    {
        [ScalarType.Float32] = ("F32", 4),
        [ScalarType.Float64] = ("F64", 8),
        [ScalarType.Float16] = ("F16", 2),
        [ScalarType.BFloat16] = ("BF16", 2),
        [ScalarType.Int64] = ("I64", 8),
        [ScalarType.Int32] = ("I32", 4),
        [ScalarType.Int16] = ("I16", 2),
        [ScalarType.Int8] = ("I8", 1),
        [ScalarType.Byte] = ("U8", 1),
        [ScalarType.Bool] = ("BOOL", 1),
    };

    /// <summary>Writes the tensors (moved to CPU, made contiguous) to <paramref name="path"/>.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (key, value) in metadata) meta[key] = value;
            header["__metadata__"] = meta;
        }

        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (string name in tensors.Keys.Order(StringComparer.Ordinal))
        {
            using var cpu = tensors[name].detach().cpu().contiguous();
            if (!DTypes.TryGetValue(cpu.dtype, out var dtype))
                throw new NotSupportedException(
                    $"Tensor '{name}' has dtype {cpu.dtype}, which safetensors output does not support.");
            byte[] bytes = cpu.bytes.ToArray();
            header[name] = new JsonObject
            {
                ["dtype"] = dtype.Name,
                ["shape"] = new JsonArray(cpu.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            blobs.Add(bytes);
            offset += bytes.Length;
        }

        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padding = (8 - headerBytes.Length % 8) % 8;
        string temp = path + ".tmp";
        using (var stream = File.Create(temp))
        {
            stream.Write(BitConverter.GetBytes((ulong)(headerBytes.Length + padding)));
            stream.Write(headerBytes);
            for (int i = 0; i < padding; i++) stream.WriteByte((byte)' ');
            foreach (byte[] blob in blobs) stream.Write(blob);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads every tensor of the file onto the CPU.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var stream = File.OpenRead(path);
        var lengthBytes = new byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BitConverter.ToUInt64(lengthBytes);
        if (headerLength > 100_000_000 || (long)headerLength + 8 > stream.Length)
            throw new InvalidDataException(
                $"{path} is not a safetensors file (header length {headerLength} is out of range).");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        using var header = JsonDocument.Parse(headerBytes);

        long dataStart = 8 + (long)headerLength;
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__") continue;
            string dtypeName = entry.Value.GetProperty("dtype").GetString() ?? "";
            var dtype = DTypes.FirstOrDefault(d => d.Value.Name == dtypeName);
            if (dtype.Value.Name is null)
                throw new InvalidDataException($"{path}: tensor '{entry.Name}' has unsupported dtype '{dtypeName}'.");
            long[] shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var bytes = new byte[offsets[1] - offsets[0]];
            stream.Position = dataStart + offsets[0];
            stream.ReadExactly(bytes);
            var tensor = torch.empty(shape, dtype.Key);
            if (bytes.Length != tensor.NumberOfElements * dtype.Value.Size)
                throw new InvalidDataException($"{path}: tensor '{entry.Name}' byte range does not match its shape.");
            tensor.bytes = bytes;
            result[entry.Name] = tensor;
        }
        return result;
    }
}
