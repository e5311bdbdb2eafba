namespace AgentKit.VectorStores.Sqlite;

/// <summary>How durably a committed write reaches the disk (SQLite's <c>PRAGMA synchronous</c> in WAL mode).</summary>
public enum SqliteDurability
{
    /// <summary>
    /// <c>synchronous=NORMAL</c>, the default: a commit is appended to the write-ahead log in the operating system's
    /// cache before the write returns, and the log is flushed to disk at checkpoints. A returned write survives the
    /// process being killed (<c>kill -9</c>, a crash); a power loss or an operating-system crash can lose the last
    /// commits (never corrupt the file). No flush per commit, so writes are not bound by the disk's flush latency.
    /// </summary>
    Normal,

    /// <summary>
    /// <c>synchronous=FULL</c>: every commit is flushed to disk before the write returns, so a returned write also
    /// survives a power loss. Each commit waits for the disk's flush (from well under a millisecond on an SSD with a
    /// power-safe cache to tens of milliseconds), so small frequent writes are slower.
    /// </summary>
    Full,
}

/// <summary>Options of a <see cref="SqliteVectorStore"/>. Values are validated when set.</summary>
public sealed class SqliteVectorStoreOptions
{
    private TimeSpan _busyTimeout = TimeSpan.FromSeconds(30);
    private long _vectorCacheMaxBytes = 1L << 30;
    private int _hnswThreshold = 250_000;
    private int _maxScanParallelism = Environment.ProcessorCount;
    private HnswOptions _hnsw = new();

    /// <summary>
    /// How long a connection waits for a lock held by another connection or process before the operation fails
    /// with a <see cref="Microsoft.Extensions.VectorData.VectorStoreException"/>. Default 30 seconds; at least 0.
    /// </summary>
    public TimeSpan BusyTimeout
    {
        get => _busyTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _busyTimeout = value;
        }
    }

    /// <summary>
    /// When a commit counts as durable. Default <see cref="SqliteDurability.Normal"/>: survives a process kill;
    /// choose <see cref="SqliteDurability.Full"/> when a returned write must also survive a power loss.
    /// </summary>
    public SqliteDurability Durability { get; set; } = SqliteDurability.Normal;

    /// <summary>
    /// The most memory, in bytes, that the in-memory vector cache of one vector property may take (4 bytes per
    /// dimension plus 16 bytes per record). A property whose vectors do not fit is scanned from the file instead,
    /// which is slower but bounded. 0 turns the cache off for exact search. Default 1 GiB. Properties with an HNSW
    /// index always keep their vectors in memory, whatever this limit.
    /// </summary>
    public long VectorCacheMaxBytes
    {
        get => _vectorCacheMaxBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _vectorCacheMaxBytes = value;
        }
    }

    /// <summary>
    /// The number of records above which a vector property whose <c>IndexKind</c> is not set (or is
    /// <c>Dynamic</c>) is searched through an HNSW index instead of an exact scan. <c>IndexKind.Hnsw</c> always
    /// uses the index and <c>IndexKind.Flat</c> never does. Default 250,000; at least 1.
    /// </summary>
    public int HnswThreshold
    {
        get => _hnswThreshold;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _hnswThreshold = value;
        }
    }

    /// <summary>
    /// The embedding generator of every collection of this store whose vector properties are not
    /// <see cref="ReadOnlyMemory{T}"/> of <see cref="float"/> (for example <see cref="string"/>): records are embedded
    /// on upsert, and <c>SearchAsync</c> embeds its input. A collection's
    /// <see cref="Microsoft.Extensions.VectorData.VectorStoreCollectionDefinition.EmbeddingGenerator"/> and a
    /// property's own generator take precedence. Default: none.
    /// </summary>
    public Microsoft.Extensions.AI.IEmbeddingGenerator? EmbeddingGenerator { get; set; }

    /// <summary>Parameters of the HNSW indexes this store builds.</summary>
    public HnswOptions Hnsw
    {
        get => _hnsw;
        set => _hnsw = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// Whether filters over indexed scalar properties are evaluated in memory, over their values kept beside the
    /// vector cache. Default true; false runs every filter in SQL (tests compare the two).
    /// </summary>
    internal bool InMemoryFilters { get; set; } = true;

    /// <summary>
    /// How many threads one exact scan may use when the collection is large enough to benefit. Default
    /// <see cref="Environment.ProcessorCount"/>; 1 scans on the calling thread only.
    /// </summary>
    public int MaxScanParallelism
    {
        get => _maxScanParallelism;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxScanParallelism = value;
        }
    }
}
