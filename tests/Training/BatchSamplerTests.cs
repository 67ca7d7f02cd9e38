using StTrain.Core.Training;
using StTrain.Core.Training.Sampling;
using Xunit;

namespace StTrain.Tests.Training;

/// <summary>The batch samplers and the multi-dataset epoch plan, checked batch by batch.</summary>
public sealed class BatchSamplerTests
{
    /// <summary>
    /// 40 (anchor, positive, negatives, label) rows where anchors repeat (10 distinct, 4 rows each), a few positives
    /// equal another row's anchor, and list-valued negatives share texts, so a careless batch would hold duplicates.
    /// </summary>
    private static List<IReadOnlyList<object?>> RowsWithDuplicates()
    {
        var rows = new List<IReadOnlyList<object?>>();
        for (int i = 0; i < 40; i++)
        {
            string anchor = $"anchor {i % 10}";
            string positive = i % 7 == 0 ? $"anchor {(i + 3) % 10}" : $"positive {i}";
            var negatives = new List<object?> { $"negative {i % 25}", $"far negative {i % 30}" };
            rows.Add([anchor, positive, negatives, (long)(i % 2)]);
        }
        return rows;
    }

    private static List<string> TextsOf(IReadOnlyList<object?> row, int labelColumn)
    {
        var texts = new List<string>();
        for (int c = 0; c < row.Count; c++)
        {
            if (c == labelColumn) continue;
            if (row[c] is string s) texts.Add(s);
            else if (row[c] is IEnumerable<object?> list) texts.AddRange(list.OfType<string>());
        }
        return texts;
    }

    private static void AssertNoDuplicateText(IReadOnlyList<int[]> batches, List<IReadOnlyList<object?>> rows)
    {
        foreach (var batch in batches)
        {
            var texts = batch.SelectMany(r => TextsOf(rows[r], 3).Distinct()).ToList();
            var repeated = texts.GroupBy(t => t).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(repeated.Count == 0,
                $"batch [{string.Join(", ", batch)}] repeats {string.Join(", ", repeated)}");
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    public void No_duplicates_never_repeats_a_text_in_a_batch_and_uses_every_row(int batchSize)
    {
        var rows = RowsWithDuplicates();
        var sampler = BatchSampler.Create("no_duplicates", batchSize, dropLast: false, seed: 3, rows, labelColumn: 3);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var batches = sampler.Batches(epoch);
            AssertNoDuplicateText(batches, rows);
            Assert.All(batches, b => Assert.InRange(b.Length, 1, batchSize));
            // Every row is used exactly once per epoch: a row that collides waits for a later batch.
            Assert.Equal(Enumerable.Range(0, rows.Count), batches.SelectMany(b => b).Order());
        }
    }

    [Fact]
    public void No_duplicates_ignores_the_label_column()
    {
        // Every row has label 1 and distinct texts: the label must not count as a shared value.
        var rows = Enumerable.Range(0, 12).Select(i => (IReadOnlyList<object?>)[$"a{i}", $"b{i}", 1L]).ToList();
        var batches = BatchSampler.Create("no_duplicates", 4, false, 1, rows, 2).Batches(0);
        Assert.Equal([4, 4, 4], batches.Select(b => b.Length));
    }

    [Fact]
    public void No_duplicates_is_a_function_of_seed_and_epoch()
    {
        var rows = RowsWithDuplicates();
        var a = BatchSampler.Create("no_duplicates", 8, false, 11, rows, 3);
        var b = BatchSampler.Create("no_duplicates", 8, false, 11, rows, 3);
        Assert.Equal(a.Batches(2), b.Batches(2));
        Assert.Equal(a.Batches(0), a.Batches(0));
        Assert.NotEqual(Flatten(a.Batches(0)), Flatten(a.Batches(1)));
        var otherSeed = BatchSampler.Create("no_duplicates", 8, false, 12, rows, 3);
        Assert.NotEqual(Flatten(a.Batches(0)), Flatten(otherSeed.Batches(0)));
    }

    [Fact]
    public void No_duplicates_with_drop_last_yields_only_full_batches()
    {
        var rows = RowsWithDuplicates();
        var batches = BatchSampler.Create("no_duplicates", 8, dropLast: true, seed: 5, rows, 3).Batches(0);
        Assert.NotEmpty(batches);
        Assert.All(batches, b => Assert.Equal(8, b.Length));
        AssertNoDuplicateText(batches, rows);
        Assert.Equal(batches.SelectMany(b => b).Count(), batches.SelectMany(b => b).Distinct().Count());
    }

    [Fact]
    public void No_duplicates_keeps_rows_whose_anchor_repeats_many_times()
    {
        // One anchor shared by 6 rows: they can never share a batch, so they spread over 6 batches.
        var rows = Enumerable.Range(0, 6).Select(i => (IReadOnlyList<object?>)["same question", $"answer {i}"])
            .Concat(Enumerable.Range(0, 6).Select(i => (IReadOnlyList<object?>)[$"other {i}", $"reply {i}"]))
            .ToList();
        var batches = BatchSampler.Create("no_duplicates", 4, false, 2, rows, null).Batches(0);
        Assert.Equal(12, batches.Sum(b => b.Length));
        Assert.All(batches, b => Assert.True(b.Count(r => r < 6) <= 1));
    }

    private static readonly string[] Labels =
        ["a", "a", "a", "a", "a", "b", "b", "b", "b", "c", "d", "d", "e", "e", "e", "f", "f", "f", "f", "f", "f"];

    [Theory]
    [InlineData(4, false)]
    [InlineData(4, true)]
    [InlineData(6, false)]
    [InlineData(2, true)]
    public void Group_by_label_puts_at_least_two_rows_of_each_label_in_a_batch(int batchSize, bool dropLast)
    {
        var rows = Labels.Select((l, i) => (IReadOnlyList<object?>)[$"text {i}", l]).ToList();
        var sampler = BatchSampler.Create("group_by_label", batchSize, dropLast, 9, rows, labelColumn: 1);
        for (int epoch = 0; epoch < 4; epoch++)
        {
            var batches = sampler.Batches(epoch);
            Assert.NotEmpty(batches);
            foreach (var batch in batches)
            {
                foreach (var group in batch.GroupBy(r => Labels[r]))
                    Assert.True(group.Count() >= 2, $"label {group.Key} has one row in [{string.Join(", ", batch)}]");
                if (dropLast) Assert.Equal(batchSize, batch.Length);
                else Assert.InRange(batch.Length, 2, batchSize);
            }
            var used = batches.SelectMany(b => b).ToList();
            Assert.Equal(used.Count, used.Distinct().Count());
            // The single "c" row can never be paired.
            Assert.DoesNotContain(9, used);
            if (!dropLast)
            {
                // Pairs per label: a 2, b 2, d 1, e 1, f 3 → 18 rows.
                Assert.Equal(18, used.Count);
            }
        }
    }

    [Fact]
    public void Group_by_label_is_deterministic_per_seed_and_epoch_and_differs_across_epochs()
    {
        var rows = Labels.Select((l, i) => (IReadOnlyList<object?>)[$"text {i}", l]).ToList();
        var a = BatchSampler.Create("group_by_label", 4, false, 4, rows, 1);
        var b = BatchSampler.Create("group_by_label", 4, false, 4, rows, 1);
        Assert.Equal(a.Batches(1), b.Batches(1));
        Assert.NotEqual(Flatten(a.Batches(0)), Flatten(a.Batches(1)));
    }

    [Fact]
    public void Group_by_label_refuses_an_odd_batch_size()
    {
        var rows = Labels.Select((l, i) => (IReadOnlyList<object?>)[$"text {i}", l]).ToList();
        var error = Assert.Throws<ArgumentException>(() => BatchSampler.Create("group_by_label", 5, false, 1, rows, 1));
        Assert.Contains("even", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Group_by_label_without_a_label_column_is_refused()
    {
        var rows = new List<IReadOnlyList<object?>> { new object?[] { "x", "y" } };
        var error = Assert.Throws<ArgumentException>(() =>
            BatchSampler.Create("group_by_label", 4, false, 1, rows, null));
        Assert.Contains("label", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, new[] { 4, 4, 2 })]
    [InlineData(true, new[] { 4, 4 })]
    public void Random_batches_cover_a_permutation_and_drop_last_drops_the_short_batch(bool dropLast, int[] sizes)
    {
        var sampler = new RandomBatchSampler(10, 4, dropLast, seed: 1);
        var batches = sampler.Batches(0);
        Assert.Equal(sizes, batches.Select(b => b.Length));
        var used = batches.SelectMany(b => b).ToList();
        Assert.Equal(used.Count, used.Distinct().Count());
        if (!dropLast) Assert.Equal(Enumerable.Range(0, 10), used.Order());
        Assert.NotEqual(Flatten(sampler.Batches(0)), Flatten(sampler.Batches(1)));
    }

    [Fact]
    public void An_unknown_sampler_is_refused_with_the_valid_names()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            BatchSampler.Create("nodups", 4, false, 1, new List<IReadOnlyList<object?>>(), null));
        Assert.Contains("no_duplicates", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Round_robin_alternates_datasets_and_stops_with_the_smallest()
    {
        var big = new RandomBatchSampler(20, 4, false, 1);    // 5 batches
        var small = new RandomBatchSampler(6, 4, false, 2);   // 2 batches
        var plan = new EpochPlan([big, small], "round_robin", 7).Batches(0);
        Assert.Equal([0, 1, 0, 1], plan.Select(b => b.Dataset));
        Assert.Equal(big.Batches(0).Take(2), plan.Where(b => b.Dataset == 0).Select(b => b.Rows));
        Assert.Equal(small.Batches(0), plan.Where(b => b.Dataset == 1).Select(b => b.Rows));
    }

    [Fact]
    public void Proportional_uses_every_batch_of_every_dataset_in_a_seeded_interleaving()
    {
        var big = new RandomBatchSampler(48, 4, false, 1);    // 12 batches
        var small = new RandomBatchSampler(24, 4, false, 2);  // 6 batches
        var epochPlan = new EpochPlan([big, small], "proportional", 7);
        var plan = epochPlan.Batches(0);
        Assert.Equal(18, plan.Count);
        Assert.Equal(12, plan.Count(b => b.Dataset == 0));
        // Each dataset's batches keep their own order inside the interleaving.
        Assert.Equal(big.Batches(0), plan.Where(b => b.Dataset == 0).Select(b => b.Rows));
        Assert.Equal(small.Batches(0), plan.Where(b => b.Dataset == 1).Select(b => b.Rows));
        // Interleaved, not concatenated: dataset 1 does not simply come after dataset 0.
        var order = plan.Select(b => b.Dataset).ToList();
        Assert.NotEqual(Enumerable.Repeat(0, 12).Concat(Enumerable.Repeat(1, 6)), order);
        Assert.Equal(order, new EpochPlan([big, small], "proportional", 7).Batches(0).Select(b => b.Dataset));
        Assert.NotEqual(order, epochPlan.Batches(1).Select(b => b.Dataset));
    }

    [Fact]
    public void One_dataset_passes_its_batches_through()
    {
        var only = new RandomBatchSampler(10, 3, false, 1);
        var plan = new EpochPlan([only], "round_robin", 1).Batches(2);
        Assert.Equal(only.Batches(2), plan.Select(b => b.Rows));
        Assert.All(plan, b => Assert.Equal(0, b.Dataset));
    }

    private static List<int> Flatten(IReadOnlyList<int[]> batches) => batches.SelectMany(b => b).ToList();
}
