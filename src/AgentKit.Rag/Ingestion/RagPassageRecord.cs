using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Rag.Ingestion;

/// <summary>
/// The vector of one passage of a chunk: a window of <see cref="RagIngestionOptions.PassageWords"/> words (overlapping
/// its neighbours), embedded with the chunk's heading path. A chunk is scored by its own vector or its best passage,
/// whichever matches the query better, so one sentence that answers a question is not averaged away by the rest of
/// its chunk. Kept in a collection beside the chunks (<see cref="RagChunkStore.OpenPassagesAsync"/>).
/// </summary>
public sealed class RagPassageRecord
{
    /// <summary>The key (<see cref="CreateKey"/>).</summary>
    public Guid Id { get; set; }

    /// <summary>The key of the chunk the passage belongs to (<see cref="RagChunkRecord.Id"/>).</summary>
    public Guid ChunkId { get; set; }

    /// <summary>The full path of the file the chunk came from.</summary>
    public string Source { get; set; } = "";

    /// <summary>The SHA-256 of the whole file when it was ingested, as on the chunk.</summary>
    public string FileHash { get; set; } = "";

    /// <summary>Whether the chunk is a table of contents or an index (never retrieved).</summary>
    public bool Navigation { get; set; }

    /// <summary>The embedding of the heading path and the passage's words.</summary>
    public ReadOnlyMemory<float> Vector { get; set; }

    /// <summary>The collection definition for vectors of <paramref name="dimensions"/> values compared by cosine similarity.</summary>
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
                new VectorStoreDataProperty(nameof(ChunkId), typeof(Guid)) { IsIndexed = true },
                new VectorStoreDataProperty(nameof(Source), typeof(string)) { IsIndexed = true },
                new VectorStoreDataProperty(nameof(FileHash), typeof(string)) { IsIndexed = true },
                new VectorStoreDataProperty(nameof(Navigation), typeof(bool)) { IsIndexed = true },
                new VectorStoreVectorProperty(nameof(Vector), typeof(ReadOnlyMemory<float>), dimensions) { DistanceFunction = DistanceFunction.CosineSimilarity },
            ],
        };
    }

    /// <summary>The key of a chunk's passage: the first 16 bytes of SHA-256(source, NUL, chunk index, NUL, passage index), as a GUID.</summary>
    /// <param name="source">The source path.</param>
    /// <param name="chunkIndex">The chunk index.</param>
    /// <param name="passageIndex">The passage's position in the chunk, from 0.</param>
    /// <returns>The key.</returns>
    public static Guid CreateKey(string source, int chunkIndex, int passageIndex)
    {
        ArgumentNullException.ThrowIfNull(source);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{source}\0{chunkIndex}\0{passageIndex}"));
        return new Guid(hash.AsSpan(0, 16));
    }
}
