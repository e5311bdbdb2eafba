using System.Globalization;

namespace AgentKit.Graph.Communities;

/// <summary>Agreement between two partitions of the same items.</summary>
public static class PartitionSimilarity
{
    /// <summary>
    /// The adjusted Rand index (Hubert and Arabie 1985): 1 for identical groupings, about 0 for independent ones,
    /// negative for worse than chance; label values do not matter, only which items share one. Two partitions that
    /// both put every item alone, or both put all items together, score 1, and so do fewer than two items (as in scikit-learn).
    /// </summary>
    /// <param name="a">One label per item.</param>
    /// <param name="b">One label per item, in the same item order.</param>
    /// <exception cref="ArgumentException">The two lists differ in length.</exception>
    public static double AdjustedRandIndex(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The partitions label {a.Count} and {b.Count} items; they must label the same items."), nameof(b));
        }

        var n = a.Count;
        var cells = new Dictionary<(int, int), long>();
        var rows = new Dictionary<int, long>();
        var columns = new Dictionary<int, long>();
        for (var i = 0; i < n; i++)
        {
            cells[(a[i], b[i])] = cells.GetValueOrDefault((a[i], b[i])) + 1;
            rows[a[i]] = rows.GetValueOrDefault(a[i]) + 1;
            columns[b[i]] = columns.GetValueOrDefault(b[i]) + 1;
        }

        var index = cells.Values.Sum(Pairs);
        var rowPairs = rows.Values.Sum(Pairs);
        var columnPairs = columns.Values.Sum(Pairs);
        var allPairs = Pairs(n);
        if (allPairs == 0)
        {
            return 1;
        }

        var expected = rowPairs * columnPairs / allPairs;
        var maximum = (rowPairs + columnPairs) / 2;
        // Equal only when both partitions are all singletons or both a single group (or n < 2): identical.
        return maximum == expected ? 1 : (index - expected) / (maximum - expected);
    }

    private static double Pairs(long count) => count * (count - 1) / 2.0;
}
