using Microsoft.Extensions.Logging;

namespace AgentKit.Abstractions.Tools;

// Event ids 1–5 as they were when the pipeline lived in AgentKit.Agents (whose log keeps 6 onwards), so log queries keep matching.
internal static partial class ToolsLog
{
    [LoggerMessage(1, LogLevel.Warning, "Tool {Tool} (call {CallId}) refused: it is not on the agent's allowlist")]
    public static partial void ToolNotAllowed(ILogger logger, string tool, string callId);

    [LoggerMessage(2, LogLevel.Information, "Tool {Tool} (call {CallId}) got invalid arguments: {Errors}")]
    public static partial void ToolArgumentsInvalid(ILogger logger, string tool, string callId, string errors);

    [LoggerMessage(3, LogLevel.Warning, "Tool {Tool} (call {CallId}) timed out after {Timeout}")]
    public static partial void ToolTimedOut(ILogger logger, string tool, string callId, TimeSpan timeout);

    [LoggerMessage(4, LogLevel.Error, "Tool {Tool} (call {CallId}) failed")]
    public static partial void ToolFailed(ILogger logger, Exception exception, string tool, string callId);

    [LoggerMessage(5, LogLevel.Information, "Tool {Tool} result cut from {Length} to {Cap} characters")]
    public static partial void ToolResultTruncated(ILogger logger, string tool, int length, int cap);
}
