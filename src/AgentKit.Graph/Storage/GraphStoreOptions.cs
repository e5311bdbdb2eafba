using AgentKit.Abstractions.Graph;

namespace AgentKit.Graph;

/// <summary>Which backend keeps the graph.</summary>
public enum GraphStoreProvider
{
    /// <summary><see cref="SqliteGraphStore"/>, in <see cref="GraphStoreOptions.Path"/> (normally the vector store's file).</summary>
    Sqlite,

    /// <summary>The PostgreSQL graph store of AgentKit.Storage.PostgreSql, in the runtime store's database and schema, shared by replicas.</summary>
    PostgreSql,
}

/// <summary>Where the graph is kept and how large it may grow.</summary>
public sealed class GraphStoreOptions
{
    /// <summary>
    /// The backend (<c>AgentKit:Graph:Store:Provider</c>). <see langword="null"/> (the default): SQLite, or with the
    /// hosted runtime the runtime store's provider (<c>AgentKit:Storage:Provider</c>), so a runtime on PostgreSQL keeps
    /// its graph there too. <see cref="GraphStoreProvider.PostgreSql"/> needs the PostgreSQL graph store registered
    /// (<c>AddAgentKitPostgreSqlGraphStore</c>), which the hosted runtime does.
    /// </summary>
    public GraphStoreProvider? Provider { get; set; }

    /// <summary>
    /// The SQLite file (not used on PostgreSQL). Use the vector store's file (<c>AgentKit:VectorStore:Path</c>) to keep the graph beside the
    /// chunks and memories it cites; its tables are named <c>__agentkit_graph_*</c>. Required on SQLite.
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

    /// <summary>Checks the options: the bounds, and on SQLite the file.</summary>
    /// <exception cref="ArgumentException">A value is missing or out of range; the message names it.</exception>
    public void Validate()
    {
        ValidateBounds();
        if (Provider == GraphStoreProvider.PostgreSql)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(Path))
        {
            throw new ArgumentException("GraphStoreOptions.Path (AgentKit:Graph:Store:Path) is required: the SQLite file to keep the graph in, normally the vector store's file.", nameof(Path));
        }

        if (Path.Trim() == ":memory:" || Path.Contains("Mode=Memory", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("GraphStoreOptions.Path must be a file: WAL mode and concurrent readers do not work on an in-memory database.", nameof(Path));
        }
    }

    /// <summary>Checks the bounds every backend enforces.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is not positive; the message names it.</exception>
    public void ValidateBounds()
    {
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

    /// <summary>
    /// Checks what one piece of evidence would store against the bounds every backend enforces before writing:
    /// name, type, label and description lengths, and relations that point at entities of the extraction.
    /// </summary>
    /// <param name="evidence">The evidence the extraction came from, named in the messages.</param>
    /// <param name="extraction">The resolved entities and relations.</param>
    /// <exception cref="GraphLimitExceededException">A text is longer than its bound.</exception>
    /// <exception cref="ArgumentException">An entity has an empty normalized name, or a relation points outside the entities.</exception>
    public void CheckExtraction(GraphEvidenceRecord evidence, ResolvedExtraction extraction)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(extraction);
        foreach (var entity in extraction.Entities)
        {
            Bound(entity.Name, MaxNameLength, nameof(MaxNameLength), $"entity name of evidence '{evidence.Id}'");
            Bound(entity.Type, MaxNameLength, nameof(MaxNameLength), $"type of entity '{entity.Name}'");
            Bound(entity.Description, MaxDescriptionLength, nameof(MaxDescriptionLength), $"description of entity '{entity.Name}'");
            if (entity.NormalizedName.Length == 0)
            {
                throw new ArgumentException($"Entity '{entity.Name}' of evidence '{evidence.Id}' has an empty normalized name; it has no letters or digits.", nameof(extraction));
            }
        }

        foreach (var relation in extraction.Relations)
        {
            if ((uint)relation.Source >= (uint)extraction.Entities.Count || (uint)relation.Target >= (uint)extraction.Entities.Count)
            {
                throw new ArgumentException($"A relation '{relation.Relation}' of evidence '{evidence.Id}' points outside its {extraction.Entities.Count} entities.", nameof(extraction));
            }

            Bound(relation.Relation, MaxNameLength, nameof(MaxNameLength), $"relation label of evidence '{evidence.Id}'");
            Bound(relation.Description, MaxDescriptionLength, nameof(MaxDescriptionLength), $"description of relation '{relation.Relation}'");
        }
    }

    private static void Bound(string text, int limit, string option, string what)
    {
        if (text.Length > limit)
        {
            throw new GraphLimitExceededException(option, limit, $"The {what} has {text.Length} characters, more than GraphStoreOptions.{option} ({limit}).");
        }
    }
}
