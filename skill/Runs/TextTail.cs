using System.Text;

namespace StTrain.Skill.Runs;

/// <summary>Reads the last lines of a text file without loading a large log whole.</summary>
public static class TextTail
{
    /// <summary>Up to <paramref name="count"/> last non-empty lines; empty when the file is absent.</summary>
    public static IReadOnlyList<string> Lines(string path, int count)
    {
        if (!File.Exists(path) || count <= 0)
        {
            return [];
        }

        const int window = 64 * 1024;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var start = Math.Max(0, stream.Length - window);
        stream.Seek(start, SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lines = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        if (start > 0 && lines.Count > 0)
        {
            lines.RemoveAt(0); // The window began mid-line.
        }

        return lines.Where(line => line.Trim().Length > 0).TakeLast(count).ToList();
    }
}
