using AgentKit.Abstractions.Embeddings;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Rag.Ingestion;

/// <summary>
/// A chunk's token code (<see cref="IPassageEncodingScorer"/>): made at ingestion from the same model run as the
/// chunk's embedding, read at query time so that re-ranking needs no model run over the candidates. Kept in a
/// collection beside the chunks (<see cref="RagChunkStore.OpenCodesAsync"/>), keyed like them; it has no vector, so
/// the store must keep vector-less collections and <c>byte[]</c> properties (SQLite does; Qdrant does not).
/// </summary>
public sealed class RagChunkCodeRecord
{
    /// <summary>The chunk's key (<see cref="RagChunkRecord.Id"/>).</summary>
    public Guid Id { get; set; }

    /// <summary>The full path of the file the chunk came from.</summary>
    public string Source { get; set; } = "";

    /// <summary>The SHA-256 of the whole file when it was ingested, as on the chunk.</summary>
    public string FileHash { get; set; } = "";

    /// <summary>The SHA-256 of the chunk's text, as on the chunk: a code whose hash differs from its chunk's is not used.</summary>
    public string ContentHash { get; set; } = "";

    /// <summary>The encoding that made <see cref="Code"/> (<see cref="IPassageEncodingScorer.EncodingId"/>).</summary>
    public string Encoding { get; set; } = "";

    /// <summary>The code of the chunk's heading path and text, as the scorer reads them; empty for a table of contents or an index (never retrieved).</summary>
    public byte[] Code { get; set; } = [];

    /// <summary>The collection definition: <see cref="Source"/> and <see cref="FileHash"/> indexed, no vector.</summary>
    /// <returns>A new definition.</returns>
    public static VectorStoreCollectionDefinition CreateDefinition() => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty(nameof(Id), typeof(Guid)),
            new VectorStoreDataProperty(nameof(Source), typeof(string)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(FileHash), typeof(string)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(ContentHash), typeof(string)),
            new VectorStoreDataProperty(nameof(Encoding), typeof(string)),
            new VectorStoreDataProperty(nameof(Code), typeof(byte[])),
        ],
    };
}
