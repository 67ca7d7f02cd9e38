using System.Text;

namespace StTrain.Core.Data;

/// <summary>
/// Splits CSV/TSV text into records (RFC 4180 quoting: a field that starts with a double quote runs to the matching
/// quote, "" inside it is one quote, and it may span lines). Unquoted empty fields are null; "" is an empty string.
/// </summary>
internal sealed class DelimitedParser(TextReader reader, char delimiter, string path)
{
    private long line = 1;
    private bool finished;

    /// <summary>The next record and the line it starts on, or null at the end of the input.</summary>
    public (List<string?> Fields, long Line)? Next()
    {
        if (finished) return null;
        if (reader.Peek() < 0)
        {
            finished = true;
            return null;
        }
        long start = line;
        var fields = new List<string?>();
        var field = new StringBuilder();
        bool quoted = false;
        while (true)
        {
            int ch = reader.Read();
            if (ch < 0)
            {
                finished = true;
                fields.Add(Finish(field, quoted));
                return (fields, start);
            }
            if (ch == '"' && field.Length == 0 && !quoted)
            {
                ReadQuoted(field, start);
                quoted = true;
                continue;
            }
            if (ch == delimiter)
            {
                fields.Add(Finish(field, quoted));
                field.Clear();
                quoted = false;
                continue;
            }
            if (ch == '\r' || ch == '\n')
            {
                if (ch == '\r' && reader.Peek() == '\n') reader.Read();
                line++;
                fields.Add(Finish(field, quoted));
                return (fields, start);
            }
            if (quoted)
                throw new DataFileException(path, line,
                    $"Text follows the closing quote of a quoted field ('{(char)ch}').",
                    "double every quote inside a quoted value (\"\"), or quote the whole value.");
            field.Append((char)ch);
        }
    }

    private void ReadQuoted(StringBuilder field, long start)
    {
        while (true)
        {
            int ch = reader.Read();
            if (ch < 0)
                throw new DataFileException(path, start, "A quoted field is never closed.",
                    "close the quote that opens on this line, and double any quote inside the value (\"\").");
            if (ch == '"')
            {
                if (reader.Peek() == '"')
                {
                    reader.Read();
                    field.Append('"');
                    continue;
                }
                return;
            }
            if (ch == '\n') line++;
            field.Append((char)ch);
        }
    }

    private static string? Finish(StringBuilder field, bool quoted) =>
        quoted ? field.ToString() : field.Length == 0 ? null : field.ToString();
}
