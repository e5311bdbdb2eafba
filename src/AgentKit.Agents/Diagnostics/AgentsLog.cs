using Microsoft.Extensions.Logging;

namespace AgentKit.Agents.Diagnostics;

internal static partial class AgentsLog
{
    [LoggerMessage(6, LogLevel.Warning, "Tool {Tool}: invalid-argument retry budget of {Budget} used up; the turn ends")]
    public static partial void ArgumentRetryBudgetExhausted(ILogger logger, string tool, int budget);

    [LoggerMessage(7, LogLevel.Information, "Agent {Agent} run {RunId} in session {SessionId} ended: {Outcome} after {Steps} model calls in {Elapsed}")]
    public static partial void RunFinished(ILogger logger, string agent, string runId, string sessionId, string outcome, int steps, TimeSpan elapsed);

    [LoggerMessage(8, LogLevel.Error, "Agent {Agent} run {RunId} failed")]
    public static partial void RunFailed(ILogger logger, Exception exception, string agent, string runId);

    [LoggerMessage(9, LogLevel.Information, "Approval {ApprovalId} for tool {Tool} resolved: approved={Approved} ({Reason})")]
    public static partial void ApprovalResolved(ILogger logger, string approvalId, string tool, bool approved, string? reason);

    [LoggerMessage(10, LogLevel.Information, "History of session {SessionId} reduced from {Before} to {After} messages")]
    public static partial void HistoryReduced(ILogger logger, string sessionId, int before, int after);

    [LoggerMessage(11, LogLevel.Warning, "MCP tool source {Name}: server process wrote to stderr: {Line}")]
    public static partial void McpServerStderr(ILogger logger, string name, string line);

    [LoggerMessage(12, LogLevel.Warning, "Tool {Tool} call {CallId} started before a restart and has no recorded result; its idempotency policy is {Policy}")]
    public static partial void InterruptedToolCall(ILogger logger, string tool, string callId, string policy);

    [LoggerMessage(13, LogLevel.Information, "Resuming run {RunId} of session {SessionId} from {Checkpoints} checkpoints")]
    public static partial void ResumingRun(ILogger logger, string runId, string sessionId, int checkpoints);

    [LoggerMessage(14, LogLevel.Error, "Resuming run {RunId} failed")]
    public static partial void ResumeFailed(ILogger logger, Exception exception, string runId);

    [LoggerMessage(15, LogLevel.Warning, "Run {RunId} of session {SessionId} was left by a process that is gone; resuming it here")]
    public static partial void OrphanedRunResumed(ILogger logger, string runId, string sessionId);

    private static readonly Func<ILogger, string, string, string, IDisposable?> RunScopeFormat =
        LoggerMessage.DefineScope<string, string, string>("SessionId:{SessionId} RunId:{RunId} Agent:{Agent}");

    /// <summary>The scope of a run: every log line written while it runs (tools, model clients, stores) carries these as structured properties.</summary>
    public static IDisposable? RunScope(ILogger logger, string sessionId, string runId, string agent) => RunScopeFormat(logger, sessionId, runId, agent);
}
