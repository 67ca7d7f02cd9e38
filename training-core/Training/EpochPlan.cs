using StTrain.Core.Training.Sampling;

namespace StTrain.Core.Training;

/// <summary>
/// The batches of one epoch across all training datasets: "proportional" interleaves every dataset's batches in a
/// seeded random order (each dataset is seen in proportion to its size); "round_robin" takes one batch of each in
/// turn and stops when the smallest dataset runs out.
/// </summary>
public sealed class EpochPlan(IReadOnlyList<BatchSampler> samplers, string strategy, int seed)
{
    public IReadOnlyList<(int Dataset, int[] Rows)> Batches(int epoch)
    {
        var perDataset = samplers.Select(s => s.Batches(epoch)).ToList();
        if (perDataset.Count == 1) return perDataset[0].Select(b => (0, b)).ToList();

        var result = new List<(int, int[])>();
        if (strategy == "round_robin")
        {
            int rounds = perDataset.Min(b => b.Count);
            for (int r = 0; r < rounds; r++)
                for (int d = 0; d < perDataset.Count; d++) result.Add((d, perDataset[d][r]));
            return result;
        }

        var order = perDataset.SelectMany((batches, d) => Enumerable.Repeat(d, batches.Count)).ToArray();
        BatchSampler.RandomFor(seed, epoch, 0xda7a).Shuffle(order);
        var next = new int[perDataset.Count];
        foreach (int d in order) result.Add((d, perDataset[d][next[d]++]));
        return result;
    }
}
