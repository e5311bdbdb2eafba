namespace AgentKit.VectorStores.Sqlite.Search;

/// <summary>
/// The vectors of one vector property held contiguously in memory, one slot per record, with the per-vector
/// constant of the distance function. Slots are stable: a deleted record leaves a dead slot (row id −1) until the
/// cache is compacted, so that an HNSW graph can name nodes by slot. Not thread-safe; <see cref="VectorIndex"/>
/// guards it.
/// </summary>
internal sealed class VectorCache
{
    private const long BytesPerSlotOverhead = 16;
    private float[] _vectors;
    private long[] _rowIds;
    private float[] _auxiliary;
    private readonly Dictionary<long, int> _slotByRowId = [];

    internal VectorCache(int dimensions, VectorDistance distance, int initialCapacity = 1024)
    {
        Dimensions = dimensions;
        Distance = distance;
        initialCapacity = Math.Max(16, initialCapacity);
        _vectors = new float[(long)initialCapacity * dimensions];
        _rowIds = new long[initialCapacity];
        _auxiliary = new float[initialCapacity];
    }

    internal int Dimensions { get; }

    internal VectorDistance Distance { get; }

    /// <summary>Slots in use, live or dead.</summary>
    internal int SlotCount { get; private set; }

    internal int LiveCount => _slotByRowId.Count;

    internal int DeadCount => SlotCount - LiveCount;

    internal int Capacity => _rowIds.Length;

    /// <summary>Approximate memory taken, in bytes.</summary>
    internal long Bytes => ((long)Capacity * Dimensions * sizeof(float)) + (Capacity * BytesPerSlotOverhead);

    internal static long EstimateBytes(long count, int dimensions) => count * ((dimensions * sizeof(float)) + BytesPerSlotOverhead);

    internal ReadOnlySpan<float> Vector(int slot) => _vectors.AsSpan(slot * Dimensions, Dimensions);

    internal float Auxiliary(int slot) => _auxiliary[slot];

    internal long RowId(int slot) => _rowIds[slot];

    internal bool IsLive(int slot) => _rowIds[slot] >= 0;

    internal bool TryGetSlot(long rowId, out int slot) => _slotByRowId.TryGetValue(rowId, out slot);

    /// <summary>Adds a record's vector in a new slot; the record must not be in the cache.</summary>
    internal int Append(long rowId, ReadOnlySpan<float> vector)
    {
        if (SlotCount == _rowIds.Length)
        {
            Grow();
        }

        var slot = SlotCount++;
        vector.CopyTo(_vectors.AsSpan(slot * Dimensions, Dimensions));
        _rowIds[slot] = rowId;
        _auxiliary[slot] = Distance.Auxiliary(vector);
        _slotByRowId[rowId] = slot;
        return slot;
    }

    /// <summary>Replaces the vector of a live slot in place.</summary>
    internal void Overwrite(int slot, ReadOnlySpan<float> vector)
    {
        vector.CopyTo(_vectors.AsSpan(slot * Dimensions, Dimensions));
        _auxiliary[slot] = Distance.Auxiliary(vector);
    }

    /// <summary>Marks the record's slot dead; returns false when the record was not cached.</summary>
    internal bool Remove(long rowId)
    {
        if (!_slotByRowId.Remove(rowId, out var slot))
        {
            return false;
        }

        _rowIds[slot] = -1;
        return true;
    }

    /// <summary>Moves live slots down over dead ones. Slot numbers change, so any graph over the slots is invalid after.</summary>
    internal void Compact()
    {
        var target = 0;
        for (var slot = 0; slot < SlotCount; slot++)
        {
            if (_rowIds[slot] < 0)
            {
                continue;
            }

            if (target != slot)
            {
                _vectors.AsSpan(slot * Dimensions, Dimensions).CopyTo(_vectors.AsSpan(target * Dimensions, Dimensions));
                _rowIds[target] = _rowIds[slot];
                _auxiliary[target] = _auxiliary[slot];
                _slotByRowId[_rowIds[target]] = target;
            }

            target++;
        }

        SlotCount = target;
    }

    private void Grow()
    {
        var capacity = checked(_rowIds.Length * 2);
        if ((long)capacity * Dimensions > Array.MaxLength)
        {
            capacity = Array.MaxLength / Dimensions;
            if (capacity <= _rowIds.Length)
            {
                throw new InvalidOperationException($"The in-memory vector cache cannot hold more than {_rowIds.Length} vectors of {Dimensions} dimensions.");
            }
        }

        Array.Resize(ref _vectors, capacity * Dimensions);
        Array.Resize(ref _rowIds, capacity);
        Array.Resize(ref _auxiliary, capacity);
    }
}
