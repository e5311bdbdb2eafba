using System.Globalization;
using System.Text;
using AgentKit.Rag.Ingestion;

namespace AgentKit.Rag.Retrieval;

/// <summary>A chunk found for a query, with where it came from.</summary>
public sealed record RetrievedChunk
{
    /// <summary>The chunk's key in the collection.</summary>
    public required Guid Id { get; init; }

    /// <summary>The chunk's text.</summary>
    public required string Text { get; init; }

    /// <summary>The full path of the source file.</summary>
    public required string Source { get; init; }

    /// <summary>The document's title.</summary>
    public required string Title { get; init; }

    /// <summary>The 1-based page, for paged formats; <see langword="null"/> otherwise.</summary>
    public int? Page { get; init; }

    /// <summary>The heading path; empty when there is none.</summary>
    public required string Section { get; init; }

    /// <summary>The chunk's position in its file.</summary>
    public int ChunkIndex { get; init; }

    /// <summary>The SHA-256 of the text.</summary>
    public required string ContentHash { get; init; }

    /// <summary>
    /// The score of the last stage that ranked the chunk (higher is better): cosine similarity, BM25, the fused
    /// z-score (hybrid), or the re-ranker's score. Comparable only within one result list.
    /// </summary>
    public double Score { get; init; }

    /// <summary>
    /// When the source was last changed: the file's last-write time when the file can be read from here; null
    /// otherwise. Decides which of two disagreeing passages is newer.
    /// </summary>
    public DateTimeOffset? SourceTime { get; init; }

    /// <summary>The chunk's embedding when the retrieval needed it (MMR); otherwise empty.</summary>
    public ReadOnlyMemory<float> Vector { get; init; }

    /// <summary>A human-readable reference: file name, page and section (<c>manual.pdf, p. 4, Setup &gt; Network</c>).</summary>
    public string Citation
    {
        get
        {
            var text = new StringBuilder(Path.GetFileName(Source));
            if (Page is { } page)
            {
                text.Append(CultureInfo.InvariantCulture, $", p. {page}");
            }

            if (Section.Length > 0)
            {
                text.Append(", ").Append(Section);
            }

            return text.ToString();
        }
    }

    internal static RetrievedChunk From(RagChunkRecord record, double score) => new()
    {
        Id = record.Id,
        Text = record.Text,
        Source = record.Source,
        Title = record.Title,
        Page = record.Page > 0 ? record.Page : null,
        Section = record.Section,
        ChunkIndex = record.ChunkIndex,
        ContentHash = record.ContentHash,
        Score = score,
        SourceTime = LastWriteTime(record.Source),
        Vector = record.Vector,
    };

    private static DateTimeOffset? LastWriteTime(string source)
    {
        try
        {
            return File.Exists(source) ? new DateTimeOffset(File.GetLastWriteTimeUtc(source), TimeSpan.Zero) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }
}
