using AgentKit.Rag.Embeddings;
using AgentKit.Rag.Ingestion;
using AgentKit.Rag.Retrieval;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Rag.Tests.Support;

/// <summary>A small knowledge base of Markdown files ingested with the hashing embedder into a SQLite store on a temporary file.</summary>
internal static class Corpus
{
    public static readonly (string Name, string Markdown)[] Files =
    [
        ("pumps.md", "# Pumps\n\n## Priming\n\nPrime the centrifugal pump with water before the first start. A dry start ruins the mechanical seal."),
        ("winter.md", "# Winter\n\n## Storage\n\nDrain the tank and the hoses before frost. Store the unit in a heated room during winter."),
        ("filters.md", "# Filters\n\n## Cartridge\n\nReplace the zeolite filter cartridge every six months. A clogged cartridge lowers the flow."),
        ("warranty.md", "# Warranty\n\nThe warranty covers two years of parts and labour. Call the service line for repairs."),
        ("filters-copy.md", "# Filters again\n\n## Cartridge\n\nReplace the filter cartridge every six months. A clogged cartridge lowers the flow rate."),
    ];

    /// <summary>Writes the corpus to a new folder and ingests it with the hashing embedder into a new SQLite store.</summary>
    public static async Task<KnowledgeBase> CreateAsync(CancellationToken cancellationToken)
    {
        var embedder = new HashingEmbeddingGenerator();
        var knowledge = new KnowledgeBase(embedder, await SqliteChunkStore.OpenAsync(embedder, cancellationToken));
        foreach (var (name, markdown) in Files)
        {
            knowledge.Folder.Write(name, markdown);
        }

        await new RagIngestor(knowledge.Collection, knowledge.Embedder).IngestDirectoryAsync(knowledge.Folder.Root, cancellationToken: cancellationToken);
        return knowledge;
    }
}

/// <summary>The ingested corpus: its folder, store and embedder, disposed together.</summary>
internal sealed class KnowledgeBase(HashingEmbeddingGenerator embedder, SqliteChunkStore store) : IAsyncDisposable
{
    public TempFolder Folder { get; } = new();

    public SqliteChunkStore Store => store;

    /// <summary>The SQLite chunk collection; it offers hybrid search (FTS5 BM25 fused with vectors).</summary>
    public VectorStoreCollection<Guid, RagChunkRecord> Collection => store.Collection;

    public HashingEmbeddingGenerator Embedder => embedder;

    public RagRetriever Retriever(IRagReranker? reranker = null) => new(Collection, Embedder, reranker);

    public async ValueTask DisposeAsync()
    {
        Folder.Dispose();
        await store.DisposeAsync();
        embedder.Dispose();
    }
}
