using AgentKit.Rag.Chunking;

namespace AgentKit.Rag.Ingestion;

/// <summary>Limits and sizes of <see cref="RagIngestor"/>.</summary>
public sealed record RagIngestionOptions
{
    /// <summary>The largest file read, in bytes; larger files are skipped as <see cref="IngestionSkipReason.TooLarge"/>. Default 64 MiB.</summary>
    public long MaxFileBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>The most chunks one file may make; a file that makes more is skipped as <see cref="IngestionSkipReason.TooManyChunks"/>. Default 10,000.</summary>
    public int MaxChunksPerFile { get; init; } = 10_000;

    /// <summary>The most files a collection is expected to hold; bounds the listing that finds removed files. Default 1,000,000.</summary>
    public int MaxFiles { get; init; } = 1_000_000;

    /// <summary>Texts per call to the embedding generator. Default 32.</summary>
    public int EmbeddingBatchSize { get; init; } = 32;

    /// <summary>
    /// Words per passage: with a passage collection (<see cref="RagChunkStore.OpenPassagesAsync"/>), each chunk longer
    /// than this is also embedded as overlapping windows of this many words, for retrieval to mix each chunk's best
    /// passage into its vector score. 0 turns passages off. Default 48 (about a paragraph), at most 1,000.
    /// </summary>
    public int PassageWords { get; init; } = 48;

    /// <summary>Words from one passage's start to the next, from 1 to <see cref="PassageWords"/>. Default 24 (half overlap).</summary>
    public int PassageStrideWords { get; init; } = 24;

    /// <summary>How files are cut into chunks.</summary>
    public ChunkingOptions Chunking { get; init; } = new();

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (MaxFileBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFileBytes), MaxFileBytes, "MaxFileBytes must be positive.");
        }

        if (MaxChunksPerFile < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxChunksPerFile), MaxChunksPerFile, "MaxChunksPerFile must be positive.");
        }

        if (MaxFiles < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFiles), MaxFiles, "MaxFiles must be positive.");
        }

        if (EmbeddingBatchSize is < 1 or > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(EmbeddingBatchSize), EmbeddingBatchSize, "EmbeddingBatchSize must be from 1 to 4096.");
        }

        if (PassageWords is < 0 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(PassageWords), PassageWords, "PassageWords must be from 0 (no passages) to 1000.");
        }

        if (PassageWords > 0 && (PassageStrideWords < 1 || PassageStrideWords > PassageWords))
        {
            throw new ArgumentOutOfRangeException(nameof(PassageStrideWords), PassageStrideWords, $"PassageStrideWords must be from 1 to PassageWords ({PassageWords}).");
        }

        ArgumentNullException.ThrowIfNull(Chunking, nameof(Chunking));
        Chunking.Validate();
    }
}
