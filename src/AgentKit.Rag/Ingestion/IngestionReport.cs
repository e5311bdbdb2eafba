namespace AgentKit.Rag.Ingestion;

/// <summary>What happened to a file in an ingestion run.</summary>
public enum FileIngestionStatus
{
    /// <summary>A new file: its chunks were written.</summary>
    Added,

    /// <summary>A changed file: its chunks were replaced.</summary>
    Updated,

    /// <summary>The file's hash (and the embedding model) matched what the collection holds: nothing was written.</summary>
    Unchanged,

    /// <summary>The file is gone from the folder: its chunks were deleted.</summary>
    Removed,

    /// <summary>The file was not ingested; <see cref="FileIngestionResult.Reason"/> says why.</summary>
    Skipped,
}

/// <summary>Why a file was skipped.</summary>
public enum IngestionSkipReason
{
    /// <summary>No reader handles the file's extension.</summary>
    UnsupportedType,

    /// <summary>The file is larger than <see cref="RagIngestionOptions.MaxFileBytes"/>, or over a reader's limit (such as <see cref="Readers.PdfDocumentReader.MaxPages"/>).</summary>
    TooLarge,

    /// <summary>The file is encrypted (a PDF that needs a password).</summary>
    Encrypted,

    /// <summary>The file is damaged or not of the format its extension claims.</summary>
    Corrupt,

    /// <summary>The file has no text, such as an image-only PDF without a text layer.</summary>
    NoText,

    /// <summary>The file makes more chunks than <see cref="RagIngestionOptions.MaxChunksPerFile"/>.</summary>
    TooManyChunks,

    /// <summary>The file could not be read from disk (permissions, I/O error, deleted meanwhile).</summary>
    Unreadable,

    /// <summary>The embedding generator failed on the file's chunks.</summary>
    EmbeddingFailed,
}

/// <summary>The outcome for one file.</summary>
/// <param name="Path">The file's full path.</param>
/// <param name="Status">What happened.</param>
/// <param name="Chunks">Chunks written (<see cref="FileIngestionStatus.Added"/>, <see cref="FileIngestionStatus.Updated"/>) or deleted (<see cref="FileIngestionStatus.Removed"/>); 0 otherwise.</param>
/// <param name="Pages">Pages read, for paged formats; 0 otherwise.</param>
/// <param name="Reason">Why the file was skipped; <see langword="null"/> unless <see cref="FileIngestionStatus.Skipped"/>.</param>
/// <param name="Message">A sentence naming the file and, for limits, the limit; <see langword="null"/> when there is nothing to say.</param>
public sealed record FileIngestionResult(
    string Path, FileIngestionStatus Status, int Chunks = 0, int Pages = 0, IngestionSkipReason? Reason = null, string? Message = null);

/// <summary>The outcome of an ingestion run: one entry per file seen, in the order they were processed.</summary>
/// <param name="Files">Per-file results.</param>
/// <param name="Elapsed">Wall-clock time of the run.</param>
public sealed record IngestionReport(IReadOnlyList<FileIngestionResult> Files, TimeSpan Elapsed)
{
    /// <summary>Chunks written to the store.</summary>
    public int ChunksWritten => Files.Where(f => f.Status is FileIngestionStatus.Added or FileIngestionStatus.Updated).Sum(f => f.Chunks);

    /// <summary>Pages read from the files that were ingested.</summary>
    public int PagesRead => Files.Where(f => f.Status is FileIngestionStatus.Added or FileIngestionStatus.Updated).Sum(f => f.Pages);

    /// <summary>How many files had a given status.</summary>
    /// <param name="status">The status.</param>
    /// <returns>The count.</returns>
    public int Count(FileIngestionStatus status) => Files.Count(f => f.Status == status);
}

/// <summary>
/// Progress of an ingestion run: reported as each batch of a file's chunks is embedded (<see cref="Last"/> null,
/// <see cref="Page"/> the last page embedded so far) and after each file (<see cref="Last"/> its result).
/// </summary>
/// <param name="Completed">Files done so far.</param>
/// <param name="Total">Files in the run (removals of vanished files come after).</param>
/// <param name="Last">The result for the file just done; <see langword="null"/> while a file is in progress.</param>
public sealed record IngestionProgress(int Completed, int Total, FileIngestionResult? Last)
{
    /// <summary>The full path of the file being ingested, or of the file just done.</summary>
    public required string File { get; init; }

    /// <summary>Pages of <see cref="File"/> read and embedded so far; 0 for formats without pages.</summary>
    public int Page { get; init; }

    /// <summary>Pages in <see cref="File"/>; 0 for formats without pages or before the file is read.</summary>
    public int Pages { get; init; }

    /// <summary>The run's progress as a fraction from 0 to 1: finished files plus the share of pages of the current one.</summary>
    public double Fraction => Total == 0 ? 1 : Math.Min(1, (Completed + (Last is null && Pages > 0 ? (double)Page / Pages : 0)) / Total);
}
