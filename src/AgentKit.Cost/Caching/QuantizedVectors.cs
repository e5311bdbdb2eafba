using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AgentKit.Cost.Caching;

/// <summary>
/// The unit vectors of one partition of the semantic layer (one scope and context), each quantised to signed bytes
/// with its own scale, in one contiguous array: the 8-bit codes are a quarter of the float32 bytes, and a scan reads
/// them only where 4-bit codes (see remarks) cannot rule a row out. Scores are approximate: each code is off by at
/// most half a step, and with 16-bit query codes the cosine is typically within 0.002 of the exact one (the tests
/// bound it by 0.01).
/// Not thread-safe: <see cref="SemanticCacheIndex"/> locks.
/// </summary>
/// <remarks>
/// A scan first multiplies 4-bit row codes (an eighth of the float32 bytes) with 8-bit query codes, 64 dimensions per
/// AVX2 <c>vpmaddubsw</c> pair, and computes the 8-bit score only for rows that could reach the threshold: each row
/// keeps the distance between its 8-bit and 4-bit reconstructions and the norm of the 4-bit one, the query the
/// distance between its 16-bit and 8-bit ones, and by Cauchy–Schwarz the 8-bit score is at most the coarse score plus
/// the query's norm times the row's distance plus the query's distance times the row's norm. The results are
/// therefore exactly those of the 8-bit scan alone; the filter only skips rows that cannot qualify.
/// </remarks>
internal sealed class QuantizedVectors(int dimensions)
{
    /// <summary>Entries from which a search is split across cores.</summary>
    internal const int ParallelFrom = 32_768;

    private const int MaxParallelism = 4;

    /// <summary>The stored value of a 4-bit code of zero.</summary>
    private const int NibbleZero = 8;

    /// <summary>Float rounding allowance of the coarse filter, far above its error and far below a step of 4-bit codes.</summary>
    private const float SlackMargin = 1e-3f;

    private readonly int _half = (dimensions + 1) / 2;
    private sbyte[] _codes = [];
    private float[] _scales = [];
    private byte[] _nibbles = [];
    private float[] _coarseScales = [];
    private float[] _slack = [];
    private float[] _coarseNorms = [];
    private string[] _ids = [];
    private long[] _expires = [];
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);

    public int Count { get; private set; }

    public int Dimensions => dimensions;

    /// <summary>Bytes held, for the memory the index reports.</summary>
    public long Bytes => (long)_codes.Length + _nibbles.Length + ((_scales.Length + _coarseScales.Length + _slack.Length + _coarseNorms.Length) * sizeof(float)) + (_expires.Length * sizeof(long)) + (_ids.Length * IntPtr.Size);

    /// <summary>Adds or replaces an entry.</summary>
    public void Set(string id, ReadOnlySpan<float> vector, long expires)
    {
        if (!_slots.TryGetValue(id, out var slot))
        {
            slot = Count++;
            Grow(Count);
            _slots.Add(id, slot);
        }

        _ids[slot] = id;
        _expires[slot] = expires;
        var codes = _codes.AsSpan(slot * dimensions, dimensions);
        _scales[slot] = Quantize(vector, codes);
        (_coarseScales[slot], _slack[slot], _coarseNorms[slot]) = QuantizeCoarse(vector, codes, _scales[slot], _nibbles.AsSpan(slot * _half, _half));
    }

    /// <summary>Removes an entry; the last one moves into its slot.</summary>
    public bool Remove(string id)
    {
        if (!_slots.Remove(id, out var slot))
        {
            return false;
        }

        var last = --Count;
        if (slot != last)
        {
            _codes.AsSpan(last * dimensions, dimensions).CopyTo(_codes.AsSpan(slot * dimensions, dimensions));
            _scales[slot] = _scales[last];
            _nibbles.AsSpan(last * _half, _half).CopyTo(_nibbles.AsSpan(slot * _half, _half));
            _coarseScales[slot] = _coarseScales[last];
            _slack[slot] = _slack[last];
            _coarseNorms[slot] = _coarseNorms[last];
            _expires[slot] = _expires[last];
            _ids[slot] = _ids[last];
            _slots[_ids[slot]] = slot;
        }

        _ids[last] = null!;
        return true;
    }

    /// <summary>
    /// Adds to <paramref name="best"/> the unexpired entries whose approximate cosine with the unit vector
    /// <paramref name="query"/> is at least <paramref name="minScore"/>.
    /// </summary>
    public void Search(QuantizedQuery query, float minScore, long now, TopCandidates best)
    {
        var helpers = Count < ParallelFrom ? 0 : Math.Min(Environment.ProcessorCount, MaxParallelism) - 1;
        if (helpers == 0)
        {
            Scan(new Snapshot(this), query, minScore, now, 0, Count, best);
            return;
        }

        new SlicedScan(new Snapshot(this), query, minScore, now, best.Capacity, helpers).Run(best);
    }

    private static void Scan(Snapshot data, QuantizedQuery query, float minScore, long now, int from, int to, TopCandidates best)
    {
        var dimensions = data.Dimensions;
        var half = data.Half;
        var floor = minScore - SlackMargin;
        for (var slot = from; slot < to; slot++)
        {
            // Upper bound of the 8-bit score from the 4-bit codes; a small margin covers float rounding.
            var coarse = query.CoarseScale * data.CoarseScales[slot] * (NibbleDot(query.CoarseCodes, data.Nibbles.AsSpan(slot * half, half)) - query.NibbleOffset);
            var ceiling = coarse + (query.Norm * data.Slack[slot]) + (query.CoarseError * data.CoarseNorms[slot]);
            if (ceiling < floor || ceiling < best.Bound - SlackMargin)
            {
                continue;
            }

            var score = query.Scale * data.Scales[slot] * Dot(query.Codes, data.Codes.AsSpan(slot * dimensions, dimensions));
            if (score >= minScore && score > best.Bound && data.Expires[slot] > now)
            {
                best.Add(score, data.Ids[slot]);
            }
        }
    }

    /// <summary>
    /// Quantises a query: 16-bit codes, as many levels as keep every row's integer dot product within an int (padded
    /// with a zero to an even length for the 4-bit codes' layout).
    /// </summary>
    public static QuantizedQuery Prepare(ReadOnlySpan<float> unit)
    {
        var max = MathF.Abs(TensorPrimitives.MaxMagnitude(unit));
        var levels = Math.Min(short.MaxValue, int.MaxValue / (unit.Length * 128));
        var codes = new short[unit.Length + (unit.Length % 2)];
        var coarseCodes = new sbyte[codes.Length];
        var scale = max == 0 ? 0 : max / levels;
        var coarseScale = max / 127;
        var sum = 0;
        double squares = 0, errors = 0;
        for (var i = 0; i < unit.Length && scale > 0; i++)
        {
            codes[i] = (short)MathF.Round(unit[i] / scale);
            coarseCodes[i] = (sbyte)Math.Clamp(MathF.Round(unit[i] / coarseScale), -127, 127);
            sum += coarseCodes[i];
            var value = (double)codes[i] * scale;
            squares += value * value;
            var error = value - ((double)coarseCodes[i] * coarseScale);
            errors += error * error;
        }

        // Rounded up by a relative 1e-5, so the floats never understate a norm.
        return new QuantizedQuery(codes, scale, coarseCodes, coarseScale, sum * NibbleZero, (float)(Math.Sqrt(squares) * (1 + 1e-5)), (float)(Math.Sqrt(errors) * (1 + 1e-5)));
    }

    private static float Quantize(ReadOnlySpan<float> unit, Span<sbyte> codes)
    {
        var max = MathF.Abs(TensorPrimitives.MaxMagnitude(unit));
        if (max == 0)
        {
            codes.Clear();
            return 0;
        }

        var scale = max / 127;
        for (var i = 0; i < unit.Length; i++)
        {
            codes[i] = (sbyte)MathF.Round(unit[i] / scale);
        }

        return scale;
    }

    /// <summary>
    /// 4-bit codes of a row already quantised to <paramref name="codes"/>: byte <c>j</c> holds dimension <c>j</c> in
    /// its low and dimension <c>j + half</c> in its high nibble, each as code + 8 (0…15). Returns the row's coarse
    /// scale and the distance between its 8-bit and 4-bit reconstructions.
    /// </summary>
    private static (float Scale, float Slack, float Norm) QuantizeCoarse(ReadOnlySpan<float> unit, ReadOnlySpan<sbyte> codes, float scale, Span<byte> nibbles)
    {
        var half = nibbles.Length;
        var max = MathF.Abs(TensorPrimitives.MaxMagnitude(unit));
        var coarse = max / 7;
        double squares = 0, norm = 0;
        nibbles.Clear();
        for (var i = 0; i < unit.Length; i++)
        {
            var code = coarse == 0 ? 0 : (int)Math.Clamp(MathF.Round(unit[i] / coarse), -7, 7);
            var difference = (codes[i] * (double)scale) - (code * (double)coarse);
            squares += difference * difference;
            norm += (code * (double)coarse) * (code * (double)coarse);
            var nibble = (byte)(code + NibbleZero);
            nibbles[i % half] |= i < half ? nibble : (byte)(nibble << 4);
        }

        for (var i = unit.Length; i < 2 * half; i++)
        {
            nibbles[i % half] |= (byte)(NibbleZero << 4);
        }

        // Rounded up by a relative 1e-5, so the float stored never understates the distance.
        return (coarse, (float)(Math.Sqrt(squares) * (1 + 1e-5)), (float)(Math.Sqrt(norm) * (1 + 1e-5)));
    }

    /// <summary>
    /// Integer dot product of an 8-bit query with one row of 4-bit codes still offset by <see cref="NibbleZero"/>
    /// (the caller subtracts <see cref="QuantizedQuery.NibbleOffset"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NibbleDot(sbyte[] query, ReadOnlySpan<byte> row)
    {
        var half = row.Length;
        var j = 0;
        var sum = 0;
        if (Avx2.IsSupported && half >= 32)
        {
            // 32 bytes hold 64 codes: vpmaddubsw multiplies the low nibbles (0…15) with query[j…] and the high ones with
            // query[half + j…] into 16-bit pairs (at most 2 × 15 × 127 each, no saturation), vpmaddwd widens to ints.
            ref var r = ref MemoryMarshal.GetReference(row);
            ref var q = ref MemoryMarshal.GetArrayDataReference(query);
            var mask = Vector256.Create((byte)0x0F);
            var ones = Vector256.Create((short)1);
            var acc = Vector256<int>.Zero;
            for (; j + 32 <= half; j += 32)
            {
                var bytes = Vector256.LoadUnsafe(ref r, (nuint)j);
                var low = bytes & mask;
                var high = Vector256.ShiftRightLogical(bytes.AsUInt16(), 4).AsByte() & mask;
                var pairs = Avx2.Add(
                    Avx2.MultiplyAddAdjacent(low, Vector256.LoadUnsafe(ref q, (nuint)j)),
                    Avx2.MultiplyAddAdjacent(high, Vector256.LoadUnsafe(ref q, (nuint)(half + j))));
                acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(pairs, ones));
            }

            sum = Vector256.Sum(acc);
        }

        for (; j < half; j++)
        {
            sum += (query[j] * (row[j] & 0x0F)) + (query[half + j] * (row[j] >> 4));
        }

        return sum;
    }

    /// <summary>Integer dot product of a 16-bit query with one row of 8-bit codes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Dot(short[] query, ReadOnlySpan<sbyte> row)
    {
        var i = 0;
        var sum = 0;
        if (Avx2.IsSupported && row.Length >= 16)
        {
            // vpmovsxbw widens 16 codes, vpmaddwd multiplies and adds neighbours into 8 ints: 16 dimensions per step.
            ref var r = ref MemoryMarshal.GetReference(row);
            ref var q = ref MemoryMarshal.GetArrayDataReference(query);
            var acc = Vector256<int>.Zero;
            for (; i + 16 <= row.Length; i += 16)
            {
                var codes = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r, (nuint)i));
                acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(codes, Vector256.LoadUnsafe(ref q, (nuint)i)));
            }

            sum = Vector256.Sum(acc);
        }

        for (; i < row.Length; i++)
        {
            sum += query[i] * row[i];
        }

        return sum;
    }

    private void Grow(int needed)
    {
        if (needed <= _ids.Length)
        {
            return;
        }

        var capacity = Math.Max(16, Math.Max(needed, _ids.Length * 2));
        Array.Resize(ref _codes, capacity * dimensions);
        Array.Resize(ref _scales, capacity);
        Array.Resize(ref _nibbles, capacity * _half);
        Array.Resize(ref _coarseScales, capacity);
        Array.Resize(ref _slack, capacity);
        Array.Resize(ref _coarseNorms, capacity);
        Array.Resize(ref _ids, capacity);
        Array.Resize(ref _expires, capacity);
    }

    /// <summary>The arrays and count as a search started: a helper that is still finishing a slice after the search
    /// returned reads these, which never shrink, so a concurrent write cannot make it read out of bounds.</summary>
    private readonly struct Snapshot(QuantizedVectors vectors)
    {
        public readonly sbyte[] Codes = vectors._codes;
        public readonly float[] Scales = vectors._scales;
        public readonly byte[] Nibbles = vectors._nibbles;
        public readonly float[] CoarseScales = vectors._coarseScales;
        public readonly float[] Slack = vectors._slack;
        public readonly float[] CoarseNorms = vectors._coarseNorms;
        public readonly int Half = vectors._half;
        public readonly string[] Ids = vectors._ids;
        public readonly long[] Expires = vectors._expires;
        public readonly int Count = vectors.Count;
        public readonly int Dimensions = vectors.Dimensions;
    }

    /// <summary>
    /// A large partition scanned in slices by the caller and a few pool threads that help. The caller never waits for
    /// a helper: slices are claimed from a shared counter, and once none is left unclaimed the caller scans itself
    /// any slice whose result has not arrived yet (a helper that was claimed by the scheduler mid-slice, which on an
    /// oversubscribed machine can last a whole time slice), taking whichever result lands first.
    /// </summary>
    private sealed class SlicedScan
    {
        private const int RowsPerSlice = 4_096;
        private readonly Snapshot _data;
        private readonly QuantizedQuery _query;
        private readonly float _minScore;
        private readonly long _now;
        private readonly int _top;
        private readonly int _helpers;
        private readonly TopCandidates?[] _results;
        private int _next = -1;
        private volatile bool _finished;

        public SlicedScan(Snapshot data, QuantizedQuery query, float minScore, long now, int top, int helpers)
        {
            _data = data;
            _query = query;
            _minScore = minScore;
            _now = now;
            _top = top;
            _helpers = helpers;
            _results = new TopCandidates?[(data.Count + RowsPerSlice - 1) / RowsPerSlice];
        }

        public void Run(TopCandidates best)
        {
            for (var i = 0; i < _helpers; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static scan => scan.Help(), this, preferLocal: false);
            }

            Help();
            for (var slice = 0; slice < _results.Length; slice++)
            {
                if (Volatile.Read(ref _results[slice]) is null)
                {
                    ScanSlice(slice);
                }
            }

            _finished = true;
            foreach (var result in _results)
            {
                foreach (var (score, id) in result!.Items)
                {
                    if (score > best.Bound)
                    {
                        best.Add(score, id);
                    }
                }
            }
        }

        private void Help()
        {
            int slice;
            while (!_finished && (slice = Interlocked.Increment(ref _next)) < _results.Length)
            {
                ScanSlice(slice);
            }
        }

        private void ScanSlice(int slice)
        {
            var result = new TopCandidates(_top);
            var from = slice * RowsPerSlice;
            Scan(_data, _query, _minScore, _now, from, Math.Min(_data.Count, from + RowsPerSlice), result);
            Interlocked.CompareExchange(ref _results[slice], result, null);
        }
    }
}

/// <summary>A query quantised for <see cref="QuantizedVectors.Search"/>.</summary>
/// <param name="Codes">16-bit codes, padded to an even length.</param>
/// <param name="Scale">The value of one step.</param>
/// <param name="CoarseCodes">8-bit codes for the 4-bit rows, padded like <paramref name="Codes"/>.</param>
/// <param name="CoarseScale">The value of one step of <paramref name="CoarseCodes"/>.</param>
/// <param name="NibbleOffset">The 8-bit codes' sum times the offset of the 4-bit codes, subtracted from their dot products.</param>
/// <param name="Norm">The norm of the query the 16-bit codes reconstruct (an upper bound).</param>
/// <param name="CoarseError">The distance between the 16-bit and 8-bit reconstructions (an upper bound).</param>
internal sealed record QuantizedQuery(short[] Codes, float Scale, sbyte[] CoarseCodes, float CoarseScale, int NibbleOffset, float Norm, float CoarseError);

/// <summary>The best few (score, id) pairs, best first; a handful, so an insertion into a sorted array.</summary>
internal sealed class TopCandidates(int capacity)
{
    public int Capacity => capacity;

    private readonly List<(float Score, string Id)> _items = new(capacity + 1);

    /// <summary>A score must beat this to enter.</summary>
    public float Bound => _items.Count < capacity ? float.NegativeInfinity : _items[^1].Score;

    public IReadOnlyList<(float Score, string Id)> Items => _items;

    public void Add(float score, string id)
    {
        var at = _items.FindIndex(item => item.Score < score);
        _items.Insert(at < 0 ? _items.Count : at, (score, id));
        if (_items.Count > capacity)
        {
            _items.RemoveAt(_items.Count - 1);
        }
    }
}
