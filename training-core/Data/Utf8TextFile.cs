using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace StTrain.Core.Data;

/// <summary>
/// Reads the text files people hand to st-train (datasets, text inputs, corpora, run specs) as strict UTF-8: a byte
/// sequence that is not UTF-8 stops the read with a <see cref="DataFileException"/> naming the file, the line, the
/// byte offset and how to convert the file, instead of turning into U+FFFD and training on damaged text. A UTF-8
/// byte order mark is accepted and skipped.
/// </summary>
public static class Utf8TextFile
{
    /// <summary>The fix every not-UTF-8 error carries.</summary>
    public const string Fix =
        "re-save the file as UTF-8, e.g. iconv -f latin1 -t utf-8 FILE > FILE.utf8 (after -f, name the encoding " +
        "the file was written in: latin1, cp1252, utf-16, ...).";

    // With a preamble, StreamReader skips a leading UTF-8 BOM even without encoding detection; the other BOMs are
    // not honoured, so a UTF-16 file is reported rather than guessed at.
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: true);

    /// <summary>A reader over <paramref name="path"/> whose reads throw a located error at the first invalid
    /// byte.</summary>
    public static TextReader OpenReader(string path) => new StrictReader(path);

    /// <summary>The whole file as one string.</summary>
    public static string ReadAllText(string path)
    {
        using var reader = OpenReader(path);
        return reader.ReadToEnd();
    }

    /// <summary>The file's lines, without line ends (as <see cref="File.ReadAllLines(string)"/>).</summary>
    public static string[] ReadAllLines(string path) => ReadLines(path).ToArray();

    /// <summary>The file's lines, read lazily.</summary>
    public static IEnumerable<string> ReadLines(string path)
    {
        using var reader = OpenReader(path);
        while (reader.ReadLine() is { } line) yield return line;
    }

    /// <summary>Throws the located error when <paramref name="bytes"/> (the content of
    /// <paramref name="path"/>) are not UTF-8; for readers that parse bytes themselves.</summary>
    public static void RequireUtf8(string path, ReadOnlySpan<byte> bytes)
    {
        if (FindInvalid(bytes) is { } invalid) throw NotUtf8(path, invalid);
    }

    /// <summary>Where the first byte that is not part of valid UTF-8 is, or null when all of them are.</summary>
    public static InvalidUtf8? FindInvalid(ReadOnlySpan<byte> bytes)
    {
        char[] buffer = ArrayPool<char>.Shared.Rent(4096);
        try
        {
            int done = 0;
            while (done < bytes.Length)
            {
                var status = Utf8.ToUtf16(bytes[done..], buffer, out int read, out _, replaceInvalidSequences: false);
                done += read;
                if (status == OperationStatus.Done) return null;
                if (status == OperationStatus.DestinationTooSmall) continue;
                // InvalidData, or NeedMoreData: a sequence cut off by the end of the file.
                int line = 1 + bytes[..done].Count((byte)'\n');
                return new InvalidUtf8(done, line, bytes[done]);
            }
            return null;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static DataFileException NotUtf8(string path, InvalidUtf8 invalid, Exception? inner = null) =>
        new(path, invalid.Line,
            $"The file is not UTF-8 text: byte 0x{invalid.Value:X2} at byte offset {invalid.Offset} does not " +
            "belong to a UTF-8 character (st-train reads text files as UTF-8 and does not guess encodings).",
            Fix, inner);

    /// <summary>
    /// Finds the bad byte after the decoder refused one. The decoder's own index is relative to its buffer, so the
    /// file is scanned again; this only happens on the error path.
    /// </summary>
    private static DataFileException Locate(string path, DecoderFallbackException error)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return FindInvalid(bytes) is { } invalid
            ? NotUtf8(path, invalid, error)
            : new DataFileException(path, null, "The file is not UTF-8 text.", Fix, error);
    }

    /// <summary>A <see cref="StreamReader"/> with the strict decoder that turns its failure into a located
    /// error.</summary>
    private sealed class StrictReader(string path) : TextReader
    {
        private readonly StreamReader inner = new(path, Strict, detectEncodingFromByteOrderMarks: false);

        private T Guard<T>(Func<StreamReader, T> read)
        {
            try
            {
                return read(inner);
            }
            catch (DecoderFallbackException error)
            {
                throw Locate(path, error);
            }
        }

        public override int Peek() => Guard(r => r.Peek());

        public override int Read() => Guard(r => r.Read());

        public override int Read(char[] buffer, int index, int count) => Guard(r => r.Read(buffer, index, count));

        public override string? ReadLine() => Guard(r => r.ReadLine());

        public override string ReadToEnd() => Guard(r => r.ReadToEnd());

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>The first byte of a file that is not valid UTF-8: its 0-based offset, its 1-based line and its
/// value.</summary>
public sealed record InvalidUtf8(long Offset, int Line, byte Value);
