namespace AgentKit.VectorStores.Sqlite.Search;

/// <summary>
/// The vectors of one vector property held in one contiguous float32 array, one slot of <see cref="Dimensions"/>
/// floats per record, with the per-vector constant of the distance function (the inverse norm for cosine) and a
/// bitmap of live slots. Slots are stable: a deleted record leaves a dead slot (row id −1, live bit clear) until the
/// cache is compacted, so that an HNSW graph can name nodes by slot and a filter bitmap can be built over slots.
/// Not thread-safe; <see cref="VectorIndex"/> guards it.
/// </summary>
internal sealed class VectorCache
{
    private const long BytesPerSlotOverhead = 16;
    private float[] _vectors;
    private long[] _rowIds;
    private float[] _auxiliary;
    private readonly SlotBitmap _live;
    private readonly Dictionary<long, int> _slotByRowId;
    private ScalarColumns? _scalars;

    internal VectorCache(int dimensions, VectorDistance distance, int initialCapacity = 1024)
    {
        Dimensions = dimensions;
        Distance = distance;
        initialCapacity = Math.Max(16, initialCapacity);
        _vectors = new float[(long)initialCapacity * dimensions];
        _rowIds = new long[initialCapacity];
        _auxiliary = new float[initialCapacity];
        _live = new SlotBitmap(initialCapacity);
        _slotByRowId = new Dictionary<long, int>(initialCapacity);
    }

    internal int Dimensions { get; }

    internal VectorDistance Distance { get; }

    /// <summary>Slots in use, live or dead.</summary>
    internal int SlotCount { get; private set; }

    internal int LiveCount => _slotByRowId.Count;

    internal int DeadCount => SlotCount - LiveCount;

    internal int Capacity => _rowIds.Length;

    /// <summary>The indexed scalar data columns kept beside the vectors, by slot; null when none are kept.</summary>
    internal ScalarColumns? Scalars => _scalars;

    /// <summary>The live slots.</summary>
    internal SlotBitmap Live => _live;

    /// <summary>All vectors, slot after slot (for scans, which index it directly).</summary>
    internal float[] VectorData => _vectors;

    /// <summary>The per-vector constants, by slot.</summary>
    internal float[] AuxiliaryData => _auxiliary;

    /// <summary>The row id of every slot in use, −1 for dead slots.</summary>
    internal ReadOnlySpan<long> RowIds => _rowIds.AsSpan(0, SlotCount);

    /// <summary>Approximate memory taken, in bytes.</summary>
    internal long Bytes => ((long)Capacity * Dimensions * sizeof(float)) + (Capacity * BytesPerSlotOverhead) + (_scalars?.Bytes ?? 0);

    /// <summary>The memory <paramref name="count"/> records take, with <paramref name="scalarColumns"/> scalar columns kept beside the vectors.</summary>
    internal static long EstimateBytes(long count, int dimensions, int scalarColumns)
        => count * ((dimensions * sizeof(float)) + BytesPerSlotOverhead + (scalarColumns * ScalarColumns.EstimatedBytesPerSlot));

    /// <summary>
    /// Starts keeping the named scalar data columns beside the vectors, every slot null until set through
    /// <see cref="Scalars"/>; from then on appends, compaction and growth keep them aligned with the slots.
    /// </summary>
    internal void KeepScalars(IReadOnlyList<string> names) => _scalars = names.Count == 0 ? null : new ScalarColumns(names, Capacity);

    /// <summary>
    /// A cache whose slots are laid out as <paramref name="rowIds"/> says (−1 for a dead slot), vectors not yet set:
    /// the form an HNSW graph saved in the file was built over. Fill it with <see cref="SetVector"/>.
    /// </summary>
    internal static VectorCache WithLayout(int dimensions, VectorDistance distance, ReadOnlySpan<long> rowIds, int capacity)
    {
        var cache = new VectorCache(dimensions, distance, Math.Max(capacity, rowIds.Length));
        for (var slot = 0; slot < rowIds.Length; slot++)
        {
            var rowId = rowIds[slot];
            cache._rowIds[slot] = rowId;
            if (rowId >= 0)
            {
                cache._slotByRowId.Add(rowId, slot);
                cache._live.Set(slot);
            }
        }

        cache.SlotCount = rowIds.Length;
        return cache;
    }

    internal ReadOnlySpan<float> Vector(int slot) => _vectors.AsSpan(slot * Dimensions, Dimensions);

    internal float Auxiliary(int slot) => _auxiliary[slot];

    internal long RowId(int slot) => _rowIds[slot];

    internal bool IsLive(int slot) => _rowIds[slot] >= 0;

    internal bool TryGetSlot(long rowId, out int slot) => _slotByRowId.TryGetValue(rowId, out slot);

    /// <summary>
    /// The slots of the row ids in <paramref name="rowIdList"/>, a list as SQLite's <c>group_concat</c> writes it
    /// (ASCII decimal, comma separated), parsed in one pass straight into the bitmap; ids not cached are ignored.
    /// </summary>
    internal SlotBitmap SlotsOf(ReadOnlySpan<byte> rowIdList)
    {
        var slots = new SlotBitmap(SlotCount);
        long value = 0;
        foreach (var character in rowIdList)
        {
            if (character == (byte)',')
            {
                if (TryGetSlot(value, out var slot))
                {
                    slots.Set(slot);
                }

                value = 0;
            }
            else
            {
                value = (value * 10) + (character - '0');
            }
        }

        if (!rowIdList.IsEmpty && TryGetSlot(value, out var last))
        {
            slots.Set(last);
        }

        return slots;
    }

    /// <summary>Makes room for <paramref name="additional"/> more slots at once, so that a large batch grows the arrays once.</summary>
    internal void Reserve(int additional)
    {
        var needed = (long)SlotCount + additional;
        if (needed > Capacity)
        {
            Resize((int)Math.Min(int.MaxValue, Math.Max(needed, (long)Capacity * 2)));
        }
    }

    /// <summary>Adds a record's vector in a new slot; the record must not be in the cache.</summary>
    internal int Append(long rowId, ReadOnlySpan<float> vector)
    {
        if (SlotCount == _rowIds.Length)
        {
            Resize(checked(_rowIds.Length * 2));
        }

        var slot = SlotCount++;
        _rowIds[slot] = rowId;
        _slotByRowId[rowId] = slot;
        _live.Set(slot);
        _scalars?.Reset(slot);
        SetVector(slot, vector);
        return slot;
    }

    /// <summary>Writes the vector of a slot (live, or dead but kept for graph navigation) and its constant.</summary>
    internal void SetVector(int slot, ReadOnlySpan<float> vector)
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
        _live.Clear(slot);
        return true;
    }

    /// <summary>Moves live slots down over dead ones. Slot numbers change, so any graph or bitmap over the slots is invalid after.</summary>
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
                _scalars?.Move(slot, target);
            }

            target++;
        }

        for (var slot = target; slot < SlotCount; slot++)
        {
            _scalars?.Reset(slot);
        }

        SlotCount = target;
        _live.ClearAll();
        for (var slot = 0; slot < SlotCount; slot++)
        {
            _live.Set(slot);
        }
    }

    private void Resize(int capacity)
    {
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
        _live.EnsureCapacity(capacity);
        _scalars?.Resize(capacity);
    }
}
