namespace AgentKit.Graph;

/// <summary>
/// The entities' name embeddings in memory, for entity resolution and question linking without a vector index: an
/// exact cosine search over unit vectors. Graph stores keep one beside their tables and change it only after a write
/// commits. Thread-safe.
/// </summary>
public sealed class EntityEmbeddingIndex
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, float[]> _vectors = [];

    /// <summary>How many entities it holds.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _vectors.Count;
            }
        }
    }

    /// <summary>Scales a vector to unit length (a zero vector stays zero), as the index stores and compares them.</summary>
    /// <param name="vector">The vector.</param>
    /// <returns>A new array.</returns>
    public static float[] Unit(ReadOnlySpan<float> vector) => VectorMath.Unit(vector);

    /// <summary>Adds or replaces entities' embeddings.</summary>
    /// <param name="vectors">Entity id → unit vector (<see cref="Unit"/>); the arrays are kept, not copied.</param>
    public void Set(IEnumerable<KeyValuePair<long, float[]>> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        lock (_lock)
        {
            foreach (var (id, vector) in vectors)
            {
                _vectors[id] = vector;
            }
        }
    }

    /// <summary>Removes entities.</summary>
    /// <param name="ids">The entity ids.</param>
    public void Remove(IEnumerable<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_lock)
        {
            foreach (var id in ids)
            {
                _vectors.Remove(id);
            }
        }
    }

    /// <summary>Keeps only the entities <paramref name="keep"/> says exist.</summary>
    /// <param name="keep">Whether an entity id still exists.</param>
    public void RemoveWhere(Func<long, bool> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        lock (_lock)
        {
            foreach (var id in _vectors.Keys.Where(k => !keep(k)).ToList())
            {
                _vectors.Remove(id);
            }
        }
    }

    /// <summary>The entities most similar to <paramref name="embedding"/>; embeddings of another dimension are skipped.</summary>
    /// <param name="embedding">The query; scaled to unit length here.</param>
    /// <param name="top">At most this many.</param>
    /// <param name="minSimilarity">Only entities at least this similar.</param>
    /// <returns>Entity id and cosine similarity, most similar first.</returns>
    public IReadOnlyList<(long Id, double Similarity)> Nearest(ReadOnlySpan<float> embedding, int top, double minSimilarity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        var query = VectorMath.Unit(embedding);
        var best = new PriorityQueue<(long Id, double Similarity), double>(top + 1);
        lock (_lock)
        {
            foreach (var (id, vector) in _vectors)
            {
                if (vector.Length != query.Length)
                {
                    continue;
                }

                var similarity = VectorMath.Dot(query, vector);
                if (similarity < minSimilarity)
                {
                    continue;
                }

                best.Enqueue((id, similarity), similarity);
                if (best.Count > top)
                {
                    best.Dequeue();
                }
            }
        }

        var found = new List<(long, double)>(best.Count);
        while (best.TryDequeue(out var hit, out _))
        {
            found.Add(hit);
        }

        found.Reverse();
        return found;
    }
}
