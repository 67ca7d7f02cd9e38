using StTrain.Core.Data;

namespace StTrain.Core.Training.Sampling;

/// <summary>
/// Splits one dataset into batches for one epoch. Every sampler is a pure function of (seed, epoch), so a resumed run
/// rebuilds exactly the batches an uninterrupted run would have seen.
/// </summary>
public abstract class BatchSampler
{
    protected BatchSampler(int batchSize, bool dropLast, int seed)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), "batch size must be at least 1");
        BatchSize = batchSize;
        DropLast = dropLast;
        Seed = seed;
    }

    public int BatchSize { get; }
    public bool DropLast { get; }
    public int Seed { get; }

    public abstract IReadOnlyList<int[]> Batches(int epoch);

    /// <summary>
    /// The generator for one (seed, epoch, purpose). HashCode.Combine is randomised per process, so it must not be used
    /// here: a resumed run in a new process has to draw exactly the batches the first process drew.
    /// </summary>
    public static DeterministicRandom RandomFor(long seed, int epoch, long purpose) =>
        new(unchecked(seed * 0x100000001B3L + epoch * 0x9E3779B1L + purpose));

    protected int[] Permutation(int count, int epoch)
    {
        var random = RandomFor(Seed, epoch, 0x5eed);
        var order = Enumerable.Range(0, count).ToArray();
        random.Shuffle(order);
        return order;
    }

    /// <summary>Creates the sampler named by training.batch_sampler.</summary>
    public static BatchSampler Create(string name, int batchSize, bool dropLast, int seed,
        IReadOnlyList<IReadOnlyList<object?>> rows, int? labelColumn) => name switch
    {
        "batch_sampler" => new RandomBatchSampler(rows.Count, batchSize, dropLast, seed),
        "no_duplicates" => new NoDuplicatesBatchSampler(rows, labelColumn, batchSize, dropLast, seed),
        "group_by_label" => labelColumn is int label
            ? new GroupByLabelBatchSampler(rows.Select(r => r[label]).ToList(), batchSize, dropLast, seed)
            : throw new ArgumentException(
                "batch_sampler group_by_label needs a 'label' column; the training data has none."),
        _ => throw new ArgumentException(
            $"batch_sampler '{name}' is not supported; use batch_sampler, no_duplicates or group_by_label."),
    };
}

/// <summary>A fresh random permutation per epoch, cut into consecutive batches.</summary>
public sealed class RandomBatchSampler(int count, int batchSize, bool dropLast, int seed)
    : BatchSampler(batchSize, dropLast, seed)
{
    public override IReadOnlyList<int[]> Batches(int epoch)
    {
        var order = Permutation(count, epoch);
        var batches = order.Chunk(BatchSize).ToList();
        if (DropLast && batches.Count > 0 && batches[^1].Length < BatchSize) batches.RemoveAt(batches.Count - 1);
        return batches;
    }
}

/// <summary>
/// Random batches in which no text appears twice: a row whose texts collide with the batch so far waits for a
/// later batch. In-batch-negative losses need this, or a duplicate would be scored as a negative of itself. Rows
/// that collide with every batch end up in smaller batches at the end of the epoch (dropped with drop_last).
/// </summary>
public sealed class NoDuplicatesBatchSampler(IReadOnlyList<IReadOnlyList<object?>> rows, int? labelColumn,
    int batchSize, bool dropLast, int seed) : BatchSampler(batchSize, dropLast, seed)
{
    public override IReadOnlyList<int[]> Batches(int epoch)
    {
        var remaining = new LinkedList<int>(Permutation(rows.Count, epoch));
        var batches = new List<int[]>();
        while (remaining.Count > 0)
        {
            var batch = new List<int>(BatchSize);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var node = remaining.First; node is not null && batch.Count < BatchSize;)
            {
                var next = node.Next;
                var texts = Texts(node.Value);
                if (!texts.Any(seen.Contains))
                {
                    batch.Add(node.Value);
                    foreach (string text in texts) seen.Add(text);
                    remaining.Remove(node);
                }
                node = next;
            }
            // The first remaining row always fits an empty batch, so every pass takes at least one row.
            if (batch.Count == BatchSize || !DropLast) batches.Add(batch.ToArray());
        }
        return batches;
    }

    private List<string> Texts(int row)
    {
        var values = rows[row];
        var texts = new List<string>(values.Count);
        for (int c = 0; c < values.Count; c++)
            if (c != labelColumn && values[c] is string text) texts.Add(text);
            else if (c != labelColumn && values[c] is IEnumerable<object?> list) texts.AddRange(list.OfType<string>());
        return texts;
    }
}

/// <summary>
/// Batches made of pairs of rows that share a label, so batch-triplet losses always find positives. Labels with a
/// single row are left out; each label contributes an even number of rows per epoch. The batch size must be even,
/// as in sentence-transformers: whole pairs then fill every batch exactly.
/// </summary>
public sealed class GroupByLabelBatchSampler : BatchSampler
{
    private readonly IReadOnlyList<object?> labels;

    public GroupByLabelBatchSampler(IReadOnlyList<object?> labels, int batchSize, bool dropLast, int seed)
        : base(batchSize, dropLast, seed)
    {
        if (batchSize % 2 != 0)
            throw new ArgumentException(
                $"batch_sampler group_by_label needs an even per_device_train_batch_size (got {batchSize}), since " +
                $"rows are taken in same-label pairs; use {batchSize + 1}.");
        this.labels = labels;
    }

    public override IReadOnlyList<int[]> Batches(int epoch)
    {
        var random = RandomFor(Seed, epoch, 0x1abe1);
        var chunks = new List<int[]>();
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => Convert.ToString(labels[i],
                     System.Globalization.CultureInfo.InvariantCulture)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var members = group.ToArray();
            random.Shuffle(members);
            for (int i = 0; i + 1 < members.Length; i += 2) chunks.Add([members[i], members[i + 1]]);
        }
        var order = chunks.ToArray();
        random.Shuffle(order);

        var batches = new List<int[]>();
        var current = new List<int>(BatchSize);
        foreach (var chunk in order)
        {
            current.AddRange(chunk);
            if (current.Count >= BatchSize)
            {
                batches.Add(current.ToArray());
                current.Clear();
            }
        }
        if (current.Count > 0 && !DropLast) batches.Add(current.ToArray());
        return batches;
    }
}
