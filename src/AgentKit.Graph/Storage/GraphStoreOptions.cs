namespace AgentKit.Graph;

/// <summary>Where the graph is kept and how large it may grow.</summary>
public sealed class GraphStoreOptions
{
    /// <summary>
    /// The SQLite file. Use the vector store's file (<c>AgentKit:VectorStore:Path</c>) to keep the graph beside the
    /// chunks and memories it cites; its tables are named <c>__agentkit_graph_*</c>. Required.
    /// </summary>
    public string Path { get; set; } = "";

    /// <summary>How long a write waits for another process's lock. Default 5 s.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Entities the graph may hold (their name embeddings stay in memory). Default 200,000.</summary>
    public int MaxEntities { get; set; } = 200_000;

    /// <summary>Relations the graph may hold. Default 2,000,000.</summary>
    public int MaxRelations { get; set; } = 2_000_000;

    /// <summary>Characters of an entity name or a relation label. Default 200.</summary>
    public int MaxNameLength { get; set; } = 200;

    /// <summary>Characters of an entity or relation description. Default 1,000.</summary>
    public int MaxDescriptionLength { get; set; } = 1_000;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">A value is missing or out of range; the message names it.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            throw new ArgumentException("GraphStoreOptions.Path (AgentKit:Graph:Store:Path) is required: the SQLite file to keep the graph in, normally the vector store's file.", nameof(Path));
        }

        if (Path.Trim() == ":memory:" || Path.Contains("Mode=Memory", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("GraphStoreOptions.Path must be a file: WAL mode and concurrent readers do not work on an in-memory database.", nameof(Path));
        }

        Positive(BusyTimeout.Ticks, nameof(BusyTimeout));
        Positive(MaxEntities, nameof(MaxEntities));
        Positive(MaxRelations, nameof(MaxRelations));
        Positive(MaxNameLength, nameof(MaxNameLength));
        Positive(MaxDescriptionLength, nameof(MaxDescriptionLength));
    }

    private static void Positive(long value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"GraphStoreOptions.{name} must be positive.");
        }
    }
}
