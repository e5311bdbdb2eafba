using System.Security.Cryptography;
using System.Text;
using AgentKit.Rag.Chunking;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Rag.Ingestion;

/// <summary>
/// The record the RAG pipeline keeps for each chunk, in any Microsoft.Extensions.VectorData store. The vector's
/// length depends on the embedding model, so collections are opened with <see cref="CreateDefinition"/> (as
/// <see cref="RagChunkStore.OpenAsync"/> does) rather than from attributes.
/// </summary>
public sealed class RagChunkRecord
{
    /// <summary>The key: derived from the source path and the chunk index (<see cref="CreateKey"/>), so a re-ingested file overwrites its own chunks.</summary>
    public Guid Id { get; set; }

    /// <summary>The chunk's text; full-text indexed for keyword and hybrid search.</summary>
    public string Text { get; set; } = "";

    /// <summary>The full path of the file the chunk came from.</summary>
    public string Source { get; set; } = "";

    /// <summary>The document's title.</summary>
    public string Title { get; set; } = "";

    /// <summary>The 1-based page for paged formats (PDF); 0 when the format has no pages.</summary>
    public int Page { get; set; }

    /// <summary>The heading path (<c>Install &gt; On Linux</c>); empty when there is none.</summary>
    public string Section { get; set; } = "";

    /// <summary>The chunk's position in its file, from 0. Chunk 0 is written last and marks the file as complete.</summary>
    public int ChunkIndex { get; set; }

    /// <summary>The SHA-256 of the chunk's text.</summary>
    public string ContentHash { get; set; } = "";

    /// <summary>The SHA-256 of the whole file when it was ingested; an equal hash means the file is unchanged.</summary>
    public string FileHash { get; set; } = "";

    /// <summary>The embedding model that made the vector; a file embedded by another model is re-embedded.</summary>
    public string EmbeddingModel { get; set; } = "";

    /// <summary>
    /// The chunk's distinct lower-cased words between spaces (<c> word1 word2 </c>), so keyword search can match
    /// whole words with a plain <c>Contains</c> filter on stores without full-text search.
    /// </summary>
    public string Terms { get; set; } = "";

    /// <summary>
    /// Whether the chunk is a table of contents or an index (<see cref="DocumentChunk.IsNavigation"/>): kept, but left
    /// out of retrieval, since it shares the words of every section it lists without answering anything.
    /// </summary>
    public bool Navigation { get; set; }

    /// <summary>The embedding of the section path and the text.</summary>
    public ReadOnlyMemory<float> Vector { get; set; }

    /// <summary>
    /// The collection definition for vectors of <paramref name="dimensions"/> values compared by cosine similarity:
    /// <see cref="Source"/>, <see cref="ChunkIndex"/>, <see cref="FileHash"/> and <see cref="Navigation"/> indexed, <see cref="Text"/> full-text indexed.
    /// </summary>
    /// <param name="dimensions">The embedding length.</param>
    /// <returns>A new definition.</returns>
    public static VectorStoreCollectionDefinition CreateDefinition(int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        return new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty(nameof(Id), typeof(Guid)),
                new VectorStoreDataProperty(nameof(Text), typeof(string)) { IsFullTextIndexed = true },
                new VectorStoreDataProperty(nameof(Source), typeof(string)) { IsIndexed = true },
                new VectorStoreDataProperty(nameof(Title), typeof(string)),
                new VectorStoreDataProperty(nameof(Page), typeof(int)),
                new VectorStoreDataProperty(nameof(Section), typeof(string)),
                new VectorStoreDataProperty(nameof(ChunkIndex), typeof(int)) { IsIndexed = true },
                new VectorStoreDataProperty(nameof(ContentHash), typeof(string)),
                new VectorStoreDataProperty(nameof(FileHash), typeof(string)) { IsIndexed = true },
                new VectorStoreDataProperty(nameof(EmbeddingModel), typeof(string)),
                new VectorStoreDataProperty(nameof(Terms), typeof(string)),
                new VectorStoreDataProperty(nameof(Navigation), typeof(bool)) { IsIndexed = true },
                new VectorStoreVectorProperty(nameof(Vector), typeof(ReadOnlyMemory<float>), dimensions) { DistanceFunction = DistanceFunction.CosineSimilarity },
            ],
        };
    }

    /// <summary>The key of a file's chunk: the first 16 bytes of SHA-256(source, NUL, index), as a GUID.</summary>
    /// <param name="source">The source path.</param>
    /// <param name="chunkIndex">The chunk index.</param>
    /// <returns>The key.</returns>
    public static Guid CreateKey(string source, int chunkIndex)
    {
        ArgumentNullException.ThrowIfNull(source);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{source}\0{chunkIndex}"));
        return new Guid(hash.AsSpan(0, 16));
    }
}
