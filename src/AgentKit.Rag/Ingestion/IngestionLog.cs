using Microsoft.Extensions.Logging;

namespace AgentKit.Rag.Ingestion;

internal static partial class IngestionLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Status} '{Path}': {Chunks} chunks from {Pages} pages")]
    public static partial void FileWritten(ILogger logger, FileIngestionStatus status, string path, int chunks, int pages);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Unchanged '{Path}'")]
    public static partial void FileUnchanged(ILogger logger, string path);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Skipped '{Path}' ({Reason}): {Message}")]
    public static partial void FileSkipped(ILogger logger, string path, IngestionSkipReason reason, string message);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Removed '{Path}': {Chunks} chunks deleted")]
    public static partial void FileRemoved(ILogger logger, string path, int chunks);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Ingestion done in {Elapsed}: {Written} chunks written, {Added} added, {Updated} updated, {Unchanged} unchanged, {Skipped} skipped, {Removed} removed")]
    public static partial void RunFinished(ILogger logger, TimeSpan elapsed, int written, int added, int updated, int unchanged, int skipped, int removed);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "The knowledge graph update of '{Path}' failed; the next ingestion run retries it: {Reason}")]
    public static partial void GraphFailed(ILogger logger, string path, string reason, Exception exception);
}
