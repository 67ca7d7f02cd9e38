namespace StTrain.Core.Data;

/// <summary>
/// A 64-bit string hash fixed by this code (FNV-1a over UTF-16 code units, then a SplitMix64 finaliser), unlike
/// string.GetHashCode which changes per process. Used for split assignment and deterministic sampling orders.
/// </summary>
public static class StableHash
{
    /// <summary>Hash of the parts joined with a separator that cannot occur in WordNet ids.</summary>
    public static ulong Of(params string[] parts)
    {
        unchecked
        {
            ulong hash = 0xCBF29CE484222325UL;
            for (int p = 0; p < parts.Length; p++)
            {
                if (p > 0) hash = (hash ^ 0x1F) * 0x100000001B3UL;
                foreach (char c in parts[p])
                {
                    hash = (hash ^ (c & 0xFFu)) * 0x100000001B3UL;
                    hash = (hash ^ ((uint)c >> 8)) * 0x100000001B3UL;
                }
            }
            hash = (hash ^ (hash >> 30)) * 0xBF58476D1CE4E5B9UL;
            hash = (hash ^ (hash >> 27)) * 0x94D049BB133111EBUL;
            return hash ^ (hash >> 31);
        }
    }

    /// <summary>The hash mapped to [0, 1) (top 53 bits).</summary>
    public static double Unit(params string[] parts) => (Of(parts) >> 11) * (1.0 / (1UL << 53));
}
