using System.Text.Json.Serialization;
using AgentKit.Abstractions.Tools;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Events;

/// <summary>
/// Something that happened in a run, in order. Serializes with a <c>type</c> discriminator, so a host can send
/// each event as one server-sent event (<see cref="Sequence"/> as its id).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(RunStartedEvent), "run_started")]
[JsonDerivedType(typeof(TextDeltaEvent), "text_delta")]
[JsonDerivedType(typeof(ToolCallRequestedEvent), "tool_call")]
[JsonDerivedType(typeof(ToolResultEvent), "tool_result")]
[JsonDerivedType(typeof(ApprovalRequestedEvent), "approval_requested")]
[JsonDerivedType(typeof(ApprovalResolvedEvent), "approval_resolved")]
[JsonDerivedType(typeof(StepCompletedEvent), "step_completed")]
[JsonDerivedType(typeof(HistoryReducedEvent), "history_reduced")]
[JsonDerivedType(typeof(PlannerProgressEvent), "planner_progress")]
[JsonDerivedType(typeof(RunCompletedEvent), "run_completed")]
[JsonDerivedType(typeof(RunFailedEvent), "run_failed")]
public abstract record AgentEvent
{
    /// <summary>The run the event belongs to.</summary>
    public string RunId { get; init; } = string.Empty;

    /// <summary>
    /// The event's place in its run, increasing with each event: 1, 2, 3, … for a run without checkpoints; for a
    /// checkpointed run, a position derived from its checkpoints (not consecutive), the same in every process that
    /// streams or derives the run's events, so a client re-attaches anywhere with the last one it saw
    /// (<see cref="AgentRunner.AttachAsync"/>).
    /// </summary>
    public long Sequence { get; init; }

    /// <summary>When it happened.</summary>
    public DateTimeOffset Timestamp { get; init; }
}

/// <summary>A run started.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="AgentName">The agent.</param>
public sealed record RunStartedEvent(string SessionId, string AgentName) : AgentEvent;

/// <summary>A piece of the model's answer text, as it streams.</summary>
/// <param name="Text">The new text.</param>
public sealed record TextDeltaEvent(string Text) : AgentEvent;

/// <summary>The model asked to call a tool.</summary>
/// <param name="CallId">The model's call id.</param>
/// <param name="ToolName">The tool.</param>
/// <param name="Arguments">The arguments as the model gave them.</param>
public sealed record ToolCallRequestedEvent(string CallId, string ToolName, IDictionary<string, object?>? Arguments) : AgentEvent;

/// <summary>A tool call ended; <paramref name="Result"/> is exactly what the model is sent.</summary>
/// <param name="CallId">The model's call id.</param>
/// <param name="ToolName">The tool.</param>
/// <param name="Status">How it ended.</param>
/// <param name="Result">The result text or the model-readable error.</param>
public sealed record ToolResultEvent(string CallId, string ToolName, ToolCallStatus Status, string Result) : AgentEvent;

/// <summary>A tool call waits for approval (an HTTP host lists it among pending approvals).</summary>
/// <param name="Request">The request.</param>
public sealed record ApprovalRequestedEvent(ToolApprovalRequest Request) : AgentEvent;

/// <summary>An approval request was decided (or timed out, which denies).</summary>
/// <param name="ApprovalId">The request.</param>
/// <param name="ToolName">The tool.</param>
/// <param name="Approved">Whether the call may run.</param>
/// <param name="Reason">The reason given.</param>
public sealed record ApprovalResolvedEvent(string ApprovalId, string ToolName, bool Approved, string? Reason) : AgentEvent;

/// <summary>What kind of step a <see cref="StepCompletedEvent"/> reports.</summary>
public enum AgentStepKind
{
    /// <summary>One call to the model.</summary>
    ModelCall,

    /// <summary>One tool invocation (or refusal).</summary>
    ToolCall,
}

/// <summary>A step ended: a model call (with its token usage) or a tool call.</summary>
/// <param name="Step">1-based index among the run's steps of this kind.</param>
/// <param name="Kind">Model call or tool call.</param>
/// <param name="Name">The tool name for a tool call; the model id (when known) for a model call.</param>
/// <param name="Duration">How long the step took.</param>
/// <param name="Usage">Tokens used (model calls; <see langword="null"/> when the model did not report them).</param>
public sealed record StepCompletedEvent(int Step, AgentStepKind Kind, string? Name, TimeSpan Duration, UsageDetails? Usage) : AgentEvent;

/// <summary>The stored history was condensed because it exceeded the context budget.</summary>
/// <param name="MessagesBefore">Messages before.</param>
/// <param name="MessagesAfter">Messages after.</param>
public sealed record HistoryReducedEvent(int MessagesBefore, int MessagesAfter) : AgentEvent;

/// <summary>
/// The agent's planner (<c>AgentDefinition.Planner</c>) did something before the model loop: a step started or
/// completed, a piece of a model call's text streamed, its budget stopped it, or it finished with an answer. Like
/// <see cref="HistoryReducedEvent"/>, not recorded in a checkpointed run's journal.
/// </summary>
/// <param name="Planner">The strategy.</param>
/// <param name="Kind"><c>step_started</c>, <c>text_delta</c>, <c>step_completed</c>, <c>budget_stopped</c> or <c>completed</c>.</param>
/// <param name="StepKind"><c>model_call</c>, <c>tool_call</c>, <c>plan</c> or <c>decision</c> for steps.</param>
/// <param name="Name">The prompt, tool or decision label; the limit of a budget stop.</param>
/// <param name="Text">The delta's text, the step's output (shortened), or the answer.</param>
public sealed record PlannerProgressEvent(string Planner, string Kind, string? StepKind, string? Name, string? Text) : AgentEvent;

/// <summary>The run completed; always the last event of a successful run.</summary>
/// <param name="Result">The result.</param>
public sealed record RunCompletedEvent(AgentRunResult Result) : AgentEvent;

/// <summary>The run ended early (limit, cancellation, rejection, failure); always the last event of such a run.</summary>
/// <param name="Result">The result, with <see cref="AgentRunResult.Outcome"/> and <see cref="AgentRunResult.Error"/>.</param>
public sealed record RunFailedEvent(AgentRunResult Result) : AgentEvent;
