namespace AgentKit.Abstractions.Tools;

/// <summary>What the pipeline did with one tool call, reported to a run.</summary>
internal sealed record ToolCallRecord(string CallId, string ToolName, ToolCallStatus Status, string Result, TimeSpan Duration);

/// <summary>Receives what the tool pipeline did; an agent run turns it into events.</summary>
internal interface IToolCallObserver
{
    void OnToolCallCompleted(ToolCallRecord record);

    void OnArgumentRetryBudgetExhausted(string toolName);
}
