using System.Numerics;
using System.Numerics.Tensors;

namespace AgentKit.VectorStores.Sqlite.Search;

/// <summary>
/// Exact nearest-neighbour search over a <see cref="VectorCache"/>: one <c>TensorPrimitives.Dot</c> per candidate
/// row, read straight from the contiguous vector array, turned into a rank with the per-vector constant stored
/// with it (inverse norm for cosine, squared norm for Euclidean), and kept in a bounded top-k heap that allocates
/// nothing per row. The candidates are the set bits of a <see cref="SlotBitmap"/> (the live slots, or the slots
/// passing a filter), walked in slot order.
/// </summary>
/// <remarks>
/// Large scans are cut into chunks of <see cref="ChunkSlots"/> slots that the calling thread and up to
/// <c>parallelism − 1</c> pool threads take one at a time, each into its own heap; the heaps are merged at the end.
/// Small chunks rather than one range per thread keep a thread that the operating system deschedules (a busy
/// machine) from holding up the whole query: the others take its remaining chunks. The scan is bound by memory
/// bandwidth (100,000 × 384 floats are 154 MB per query); a blocked four-rows-at-a-time kernel was measured
/// slower than <c>TensorPrimitives.Dot</c> per row, whose multiple accumulators already hide the FMA latency.
/// </remarks>
internal static class ExactScan
{
    /// <summary>Slots per parallel work item: a multiple of 64 (one bitmap word), about 3 MB of 384-dim vectors.</summary>
    internal const int ChunkSlots = 2048;

    /// <summary>Candidate floats below which a scan stays on the calling thread (the pool hand-off costs more).</summary>
    internal const long ParallelThresholdFloats = 1 << 21;

    /// <summary>
    /// The share of the live slots from which a filter is scanned in the unfiltered order — every live vector read
    /// front to back, the filter checked before the heap — instead of jumping from match to match. Skipping runs of
    /// rows breaks the hardware prefetcher's stream: a filter keeping half the rows in runs of five measured 1.2x
    /// the full scan when skipping, while a filter keeping a tenth measured a third of it.
    /// </summary>
    internal const double DenseFilterShare = 0.25;

    /// <summary>
    /// The <paramref name="k"/> nearest candidates as (slot, rank), nearest first. <paramref name="candidates"/> is
    /// <see cref="VectorCache.Live"/> or a subset of it (a filter's matches).
    /// </summary>
    internal static (long Slot, float Rank)[] Run(VectorCache cache, float[] prepared, float queryAuxiliary, int k, SlotBitmap candidates, int parallelism)
    {
        var dense = !ReferenceEquals(candidates, cache.Live) && candidates.Count >= cache.LiveCount * DenseFilterShare;
        var walk = dense ? cache.Live : candidates;
        var admit = dense ? candidates : null;
        return cache.Distance.Kind switch
        {
            DistanceKind.CosineSimilarity or DistanceKind.CosineDistance => Run<CosineRank>(cache, prepared, queryAuxiliary, k, walk, admit, parallelism),
            DistanceKind.DotProductSimilarity or DistanceKind.NegativeDotProductSimilarity => Run<DotRank>(cache, prepared, queryAuxiliary, k, walk, admit, parallelism),
            DistanceKind.EuclideanDistance or DistanceKind.EuclideanSquaredDistance => Run<EuclideanRank>(cache, prepared, queryAuxiliary, k, walk, admit, parallelism),
            _ => Run<ManhattanRank>(cache, prepared, queryAuxiliary, k, walk, admit, parallelism),
        };
    }

    /// <summary>Scores the set bits of <paramref name="walk"/>; a result must also be in <paramref name="admit"/> when given.</summary>
    private static (long Slot, float Rank)[] Run<TRank>(VectorCache cache, float[] prepared, float queryAuxiliary, int k, SlotBitmap walk, SlotBitmap? admit, int parallelism)
        where TRank : struct, IRank
    {
        var slotCount = cache.SlotCount;
        var chunks = (slotCount + ChunkSlots - 1) / ChunkSlots;
        if (parallelism <= 1 || chunks <= 1 || (long)walk.Count * cache.Dimensions < ParallelThresholdFloats)
        {
            var heap = new TopKHeap(k);
            ScanRange<TRank>(cache, prepared, queryAuxiliary, walk, admit, 0, slotCount, heap);
            return heap.ToSorted();
        }

        var merged = new TopKHeap(k);
        Parallel.For(
            0,
            chunks,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            () => new TopKHeap(k),
            (chunk, _, heap) =>
            {
                var from = chunk * ChunkSlots;
                ScanRange<TRank>(cache, prepared, queryAuxiliary, walk, admit, from, Math.Min(slotCount, from + ChunkSlots), heap);
                return heap;
            },
            heap =>
            {
                lock (merged)
                {
                    merged.AddAll(heap);
                }
            });
        return merged.ToSorted();
    }

    /// <summary>Scores the walked slots in [<paramref name="from"/>, <paramref name="to"/>); <paramref name="from"/> is a multiple of 64.</summary>
    private static void ScanRange<TRank>(VectorCache cache, float[] prepared, float queryAuxiliary, SlotBitmap walk, SlotBitmap? admit, int from, int to, TopKHeap heap)
        where TRank : struct, IRank
    {
        var dimensions = cache.Dimensions;
        var vectors = cache.VectorData;
        var auxiliary = cache.AuxiliaryData;
        var words = walk.Words;
        var query = new ReadOnlySpan<float>(prepared);
        var bound = heap.Bound;
        var lastWord = Math.Min(words.Length, (to + 63) >> 6);
        for (var w = from >> 6; w < lastWord; w++)
        {
            var word = words[w];
            while (word != 0)
            {
                var slot = (w << 6) + BitOperations.TrailingZeroCount(word);
                word &= word - 1;
                if (slot >= to)
                {
                    break;
                }

                var rank = TRank.Rank(query, queryAuxiliary, vectors.AsSpan(slot * dimensions, dimensions), auxiliary[slot]);
                if (rank < bound && (admit is null || admit.Contains(slot)))
                {
                    heap.Add(rank, slot);
                    bound = heap.Bound;
                }
            }
        }
    }

    /// <summary>A distance's rank (lower is nearer) from a prepared query; a struct so that each scan loop is compiled for one distance.</summary>
    private interface IRank
    {
        static abstract float Rank(ReadOnlySpan<float> query, float queryAuxiliary, ReadOnlySpan<float> vector, float vectorAuxiliary);
    }

    private readonly struct CosineRank : IRank
    {
        public static float Rank(ReadOnlySpan<float> query, float queryAuxiliary, ReadOnlySpan<float> vector, float vectorAuxiliary)
            => 1f - (TensorPrimitives.Dot(query, vector) * vectorAuxiliary);
    }

    private readonly struct DotRank : IRank
    {
        public static float Rank(ReadOnlySpan<float> query, float queryAuxiliary, ReadOnlySpan<float> vector, float vectorAuxiliary)
            => 1f - TensorPrimitives.Dot(query, vector);
    }

    private readonly struct EuclideanRank : IRank
    {
        public static float Rank(ReadOnlySpan<float> query, float queryAuxiliary, ReadOnlySpan<float> vector, float vectorAuxiliary)
            => MathF.Max(0f, queryAuxiliary + vectorAuxiliary - (2f * TensorPrimitives.Dot(query, vector)));
    }

    private readonly struct ManhattanRank : IRank
    {
        public static float Rank(ReadOnlySpan<float> query, float queryAuxiliary, ReadOnlySpan<float> vector, float vectorAuxiliary)
            => (float)VectorDistance.Manhattan(query, vector);
    }
}
