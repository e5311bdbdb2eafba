using Microsoft.Extensions.Logging;

namespace AgentKit.Memory.Diagnostics;

internal static partial class MemoryLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Recall for agent '{AgentId}': {Candidates} candidates, {Returned} returned")]
    public static partial void Recalled(ILogger logger, string agentId, int candidates, int returned);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Memory write for agent '{AgentId}': {Added} added, {Updated} updated, {Deleted} deleted, {Noops} unchanged, {Evicted} evicted, {Rejected} decisions rejected")]
    public static partial void Written(ILogger logger, string agentId, int added, int updated, int deleted, int noops, int evicted, int rejected);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Reconciliation for agent '{AgentId}' rejected a decision: {Reason}")]
    public static partial void DecisionRejected(ILogger logger, string agentId, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Agent '{AgentId}' reached its reflection threshold ({Sum} >= {Threshold})")]
    public static partial void ReflectionDue(ILogger logger, string agentId, int sum, int threshold);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "The reflection queue is full; agent '{AgentId}' will ask again on its next write")]
    public static partial void ReflectionQueueFull(ILogger logger, string agentId);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Agent '{AgentId}' reflected: {Questions} questions, {Insights} insights stored, {DroppedInsights} dropped, {DroppedIds} invented evidence ids dropped")]
    public static partial void Reflected(ILogger logger, string agentId, int questions, int insights, int droppedInsights, int droppedIds);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "Reflection of agent '{AgentId}' failed")]
    public static partial void ReflectionFailed(ILogger logger, Exception exception, string agentId);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Agent '{AgentId}' is over its cap of {Cap} memories; evicted {Evicted}")]
    public static partial void Evicted(ILogger logger, string agentId, int cap, int evicted);

    [LoggerMessage(EventId = 9, Level = LogLevel.Debug, Message = "Wrote {Count} last-accessed times")]
    public static partial void AccessFlushed(ILogger logger, int count);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Memory of agent '{AgentId}' could not be updated after the turn")]
    public static partial void ObservationFailed(ILogger logger, Exception exception, string agentId);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "The knowledge graph update for memory {MemoryId} failed; the memory is stored, the graph misses it: {Reason}")]
    public static partial void GraphFailed(ILogger logger, Guid memoryId, string reason, Exception exception);
}
