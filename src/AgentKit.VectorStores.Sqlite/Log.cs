using Microsoft.Extensions.Logging;

namespace AgentKit.VectorStores.Sqlite;

/// <summary>The store's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Opened the SQLite vector store {Path}")]
    internal static partial void StoreOpened(ILogger logger, string path);

    [LoggerMessage(2, LogLevel.Information, "Created collection {Collection}")]
    internal static partial void CollectionCreated(ILogger logger, string collection);

    [LoggerMessage(3, LogLevel.Information, "Deleted collection {Collection}")]
    internal static partial void CollectionDeleted(ILogger logger, string collection);

    [LoggerMessage(4, LogLevel.Warning, "SQLite operation {Operation} on collection {Collection} failed")]
    internal static partial void OperationFailed(ILogger logger, string operation, string? collection, Exception exception);

    [LoggerMessage(5, LogLevel.Debug, "Loaded {Count} vectors of {Collection}.{Property} ({Mode}) in {Milliseconds} ms")]
    internal static partial void IndexLoaded(ILogger logger, string collection, string property, int count, string mode, long milliseconds);

    [LoggerMessage(6, LogLevel.Debug, "Saved the HNSW graph of {Collection}.{Property} at generation {Generation} ({Bytes} bytes)")]
    internal static partial void GraphSaved(ILogger logger, string collection, string property, long generation, long bytes);

    [LoggerMessage(7, LogLevel.Warning, "Could not save the HNSW graph of {Collection}.{Property}; it will be rebuilt on the next open")]
    internal static partial void GraphSaveFailed(ILogger logger, string collection, string property, Exception exception);

    [LoggerMessage(8, LogLevel.Warning, "Collection {Collection} had no full-text index; it was re-created from the records")]
    internal static partial void FullTextIndexRestored(ILogger logger, string collection);
}
