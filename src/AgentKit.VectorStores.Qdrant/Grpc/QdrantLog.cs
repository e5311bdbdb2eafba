using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace AgentKit.VectorStores.Qdrant.Grpc;

internal static partial class QdrantLog
{
    [LoggerMessage(1, LogLevel.Warning, "Qdrant answered {Status} to {Operation}; retry {Attempt} in {Delay}")]
    public static partial void Retrying(ILogger logger, StatusCode status, string operation, int attempt, TimeSpan delay);

    [LoggerMessage(2, LogLevel.Debug, "Qdrant {Operation} on {Collection} completed in {Elapsed}")]
    public static partial void Completed(ILogger logger, string operation, string? collection, TimeSpan elapsed);

    [LoggerMessage(3, LogLevel.Information, "Created Qdrant collection {Collection} ({Layout}, {IndexCount} payload indexes)")]
    public static partial void CollectionCreated(ILogger logger, string collection, string layout, int indexCount);

    [LoggerMessage(4, LogLevel.Debug, "Upserted {Count} points into {Collection} in {Batches} batches")]
    public static partial void Upserted(ILogger logger, int count, string collection, int batches);
}
