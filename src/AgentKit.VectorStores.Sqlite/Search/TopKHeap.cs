namespace AgentKit.VectorStores.Sqlite.Search;

/// <summary>
/// Keeps the <c>k</c> nearest candidates seen so far (lowest rank) in a bounded max-heap, so that a scan costs
/// O(n log k) and O(k) memory.
/// </summary>
internal sealed class TopKHeap
{
    private readonly float[] _ranks;
    private readonly long[] _ids;

    internal TopKHeap(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ranks = new float[capacity];
        _ids = new long[capacity];
    }

    internal int Count { get; private set; }

    internal int Capacity => _ranks.Length;

    /// <summary>The rank a candidate must beat to enter a full heap; +∞ while the heap has room.</summary>
    internal float Bound => Count < _ranks.Length ? float.PositiveInfinity : _ranks[0];

    internal void Add(float rank, long id)
    {
        if (Count < _ranks.Length)
        {
            var index = Count++;
            _ranks[index] = rank;
            _ids[index] = id;
            SiftUp(index);
        }
        else if (rank < _ranks[0])
        {
            _ranks[0] = rank;
            _ids[0] = id;
            SiftDown(0);
        }
    }

    internal void AddAll(TopKHeap other)
    {
        for (var i = 0; i < other.Count; i++)
        {
            Add(other._ranks[i], other._ids[i]);
        }
    }

    /// <summary>The candidates, nearest first.</summary>
    internal (long Id, float Rank)[] ToSorted()
    {
        var result = new (long Id, float Rank)[Count];
        for (var i = 0; i < Count; i++)
        {
            result[i] = (_ids[i], _ranks[i]);
        }

        Array.Sort(result, static (a, b) => a.Rank.CompareTo(b.Rank));
        return result;
    }

    private void SiftUp(int index)
    {
        while (index > 0)
        {
            var parent = (index - 1) / 2;
            if (_ranks[parent] >= _ranks[index])
            {
                return;
            }

            Swap(parent, index);
            index = parent;
        }
    }

    private void SiftDown(int index)
    {
        while (true)
        {
            var left = (2 * index) + 1;
            if (left >= Count)
            {
                return;
            }

            var largest = left + 1 < Count && _ranks[left + 1] > _ranks[left] ? left + 1 : left;
            if (_ranks[index] >= _ranks[largest])
            {
                return;
            }

            Swap(index, largest);
            index = largest;
        }
    }

    private void Swap(int a, int b)
    {
        (_ranks[a], _ranks[b]) = (_ranks[b], _ranks[a]);
        (_ids[a], _ids[b]) = (_ids[b], _ids[a]);
    }
}
