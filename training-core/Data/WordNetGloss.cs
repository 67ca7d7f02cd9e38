namespace StTrain.Core.Data;

/// <summary>
/// Splits a WordNet gloss into its definition and its example sentences. Glosses are "; "-separated parts where
/// examples are double-quoted (sometimes followed by an attribution, as in "..." -T.S.Eliot); quotes in WordNet 3.x
/// glosses are always balanced, so a ';' inside quotes never separates parts.
/// </summary>
public static class WordNetGloss
{
    /// <summary>The definition (non-quoted parts joined with "; ") and the example sentences without quotes.</summary>
    public static (string Definition, IReadOnlyList<string> Examples) Split(string gloss)
    {
        var definition = new List<string>();
        var examples = new List<string>();
        foreach (string raw in SplitOutsideQuotes(gloss))
        {
            string part = raw.Trim();
            if (part.Length == 0) continue;
            if (part[0] == '"')
            {
                int close = part.LastIndexOf('"');
                string example = (close > 0 ? part[1..close] : part[1..]).Trim();
                if (example.Length > 0) examples.Add(example);
            }
            else
            {
                definition.Add(part);
            }
        }
        return (string.Join("; ", definition), examples);
    }

    private static IEnumerable<string> SplitOutsideQuotes(string gloss)
    {
        bool quoted = false;
        int start = 0;
        for (int i = 0; i < gloss.Length; i++)
        {
            if (gloss[i] == '"') quoted = !quoted;
            else if (gloss[i] == ';' && !quoted)
            {
                yield return gloss[start..i];
                start = i + 1;
            }
        }
        yield return gloss[start..];
    }
}
