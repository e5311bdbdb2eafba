using Microsoft.Extensions.Logging;

namespace AgentKit.Graph.Diagnostics;

internal static partial class GraphLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Graph extraction of '{EvidenceId}' dropped part of the model's answer: {Reason}")]
    public static partial void Dropped(ILogger logger, string evidenceId, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Graph extraction of '{EvidenceId}' from source '{Source}' failed and will be retried at the next update: {Reason}")]
    public static partial void ExtractionFailed(ILogger logger, string evidenceId, string source, string reason, Exception exception);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Entity '{Name}' merged into '{Into}' (name embedding similarity {Similarity:F3})")]
    public static partial void Merged(ILogger logger, string name, string into, double similarity);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Graph source '{Source}' updated: {Extracted} extracted, {Unchanged} unchanged, {Removed} removed, {Failed} failed")]
    public static partial void SourceUpdated(ILogger logger, string source, int extracted, int unchanged, int removed, int failed);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Summarising a graph community of {Members} entities failed and will be retried at the next refresh: {Reason}")]
    public static partial void SummaryFailed(ILogger logger, int members, string reason, Exception exception);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Graph communities refreshed: {Communities} communities, {Summarized} summarised, {Unchanged} unchanged, {Removed} reports removed, {Failed} failed")]
    public static partial void CommunitiesRefreshed(ILogger logger, int communities, int summarized, int unchanged, int removed, int failed);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Graph community refresh failed; the next graph update triggers another: {Reason}")]
    public static partial void RefreshFailed(ILogger logger, string reason, Exception exception);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information, Message = "Graph global search dropped part of a map answer: {Reason}")]
    public static partial void MapDropped(ILogger logger, string reason);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning, Message = "Graph global search: the map of a batch of {Reports} community reports failed and was skipped: {Reason}")]
    public static partial void MapFailed(ILogger logger, int reports, string reason, Exception exception);
}
