using AgentKit.VectorStores.Qdrant;

namespace AgentKit.Hosting.Configuration;

/// <summary>Which vector store <c>AddAgentKit()</c> registers.</summary>
public enum VectorStoreKind
{
    /// <summary>The embedded SQLite store: one file under <c>AgentKit:Storage:Directory</c>, no server.</summary>
    Sqlite,

    /// <summary>A Qdrant server (v1.10 or later) over gRPC (Qdrant.Client), port 6334 by default.</summary>
    Qdrant,
}

/// <summary>
/// The <c>AgentKit:VectorStore</c> section: the Microsoft.Extensions.VectorData <c>VectorStore</c> that knowledge
/// bases (and anything else resolving <c>VectorStore</c>) use.
/// </summary>
public sealed class VectorStoreOptions
{
    /// <summary>The store. Default: <see cref="VectorStoreKind.Sqlite"/>.</summary>
    public VectorStoreKind Kind { get; set; } = VectorStoreKind.Sqlite;

    /// <summary>sqlite: the database file. Relative paths resolve against <c>AgentKit:Storage:Directory</c>. Default: <c>vectors.db</c>.</summary>
    public string Path { get; set; } = "vectors.db";

    /// <summary>qdrant: the server's gRPC address and settings (<c>AgentKit:VectorStore:Qdrant:Endpoint</c> is required, for example <c>http://localhost:6334/</c>).</summary>
    public QdrantVectorStoreOptions Qdrant { get; init; } = new();
}
