using StTrain.Core.Data;

namespace StTrain.Core.Losses;

/// <summary>
/// Builds ContrastiveTensionLoss training rows from plain sentences, as sentence-transformers'
/// ContrastiveTensionDataLoader does: shuffle, then walk the list producing one positive pair (a sentence with
/// itself, label 1) followed by pos_neg_ratio - 1 negative pairs (two consecutive different sentences, label 0), and
/// so on until the sentences run out. Write the rows as a (text1, text2, label) dataset for st-train.
/// </summary>
/// <remarks>
/// Each row carries its label, so the trainer may shuffle and batch the rows freely; the ratio of positives to
/// negatives (1 : pos_neg_ratio - 1) holds over the whole dataset instead of inside each batch as with the
/// sentence-transformers loader, whose last incomplete batch is dropped (here every row is kept).
/// </remarks>
public static class ContrastiveTensionPairs
{
    public static IReadOnlyList<(string Text1, string Text2, int Label)> Build(
        IReadOnlyList<string> sentences, int posNegRatio = 8, long seed = 42)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        if (posNegRatio < 1)
        {
            throw new ArgumentException($"ContrastiveTensionPairs: pos_neg_ratio must be at least 1; got " +
                                        $"{posNegRatio}. Fix: use 8 (one positive per 7 negatives), the default.");
        }

        string[] order = sentences.ToArray();
        var random = new DeterministicRandom(seed);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        var rows = new List<(string, string, int)>();
        int index = 0;
        while (index + 1 < order.Length)
        {
            string first = order[index];
            if (rows.Count % posNegRatio > 0)
            {
                index++;
                rows.Add((first, order[index], 0));
            }
            else
            {
                rows.Add((first, first, 1));
            }

            index++;
        }

        return rows;
    }
}
