namespace StTrain.Core.Data;

/// <summary>
/// A small seeded generator (SplitMix64) whose sequence is fixed by this code alone, unlike System.Random whose
/// algorithm may change between runtimes; dataset shuffles and samples must stay byte-identical across machines.
/// </summary>
public sealed class DeterministicRandom
{
    private ulong state;

    public DeterministicRandom(long seed) => state = unchecked((ulong)seed);

    /// <summary>Next 64 random bits: z = mix(state += golden gamma).</summary>
    public ulong NextUInt64()
    {
        unchecked
        {
            state += 0x9E3779B97F4A7C15UL;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Uniform integer in [0, maxExclusive), by rejection so that no value is favoured.</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        ulong bound = (ulong)maxExclusive;
        ulong limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong value;
        do value = NextUInt64(); while (value >= limit);
        return (int)(value % bound);
    }

    /// <summary>Uniform double in [0, 1) from the top 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>k distinct indices drawn uniformly from [0, n), in draw order (partial Fisher-Yates).</summary>
    public int[] SampleIndices(int n, int k)
    {
        if (k > n) throw new ArgumentOutOfRangeException(nameof(k), $"Cannot draw {k} distinct values from {n}.");
        var pool = Enumerable.Range(0, n).ToArray();
        var result = new int[k];
        for (int i = 0; i < k; i++)
        {
            int j = i + NextInt(n - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
            result[i] = pool[i];
        }
        return result;
    }
}
