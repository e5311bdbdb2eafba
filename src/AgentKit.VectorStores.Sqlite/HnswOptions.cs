namespace AgentKit.VectorStores.Sqlite;

/// <summary>Parameters of an HNSW (hierarchical navigable small world) index. Values are validated when set.</summary>
public sealed class HnswOptions
{
    private int _m = 16;
    private int _efConstruction = 100;
    private int _efSearch = 64;
    private int _filteredOversampling = 4;
    private double _exactFilterSelectivity = 0.05;

    /// <summary>
    /// Links per node on the upper layers (twice as many on the bottom layer). More links raise recall and memory
    /// (about 8 × M bytes per vector). Default 16; 2 to 128.
    /// </summary>
    public int M
    {
        get => _m;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 2);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 128);
            _m = value;
        }
    }

    /// <summary>Candidate list size while inserting. Higher builds a better graph, more slowly. Default 100; at least 4.</summary>
    public int EfConstruction
    {
        get => _efConstruction;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 4);
            _efConstruction = value;
        }
    }

    /// <summary>
    /// Candidate list size while searching (raised to the number of results asked for when smaller). Higher raises
    /// recall and lowers speed. Default 64; at least 1.
    /// </summary>
    public int EfSearch
    {
        get => _efSearch;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _efSearch = value;
        }
    }

    /// <summary>
    /// For a filtered search through the index, how many times more candidates than asked for are collected, so
    /// that enough pass the filter. Default 4; at least 1.
    /// </summary>
    public int FilteredOversampling
    {
        get => _filteredOversampling;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _filteredOversampling = value;
        }
    }

    /// <summary>
    /// When a filter keeps at most this fraction of the records, the search scans the matching records exactly
    /// instead of walking the index (exact is then both faster and complete). Default 0.05; 0 to 1.
    /// </summary>
    public double ExactFilterSelectivity
    {
        get => _exactFilterSelectivity;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1);
            _exactFilterSelectivity = value;
        }
    }
}
