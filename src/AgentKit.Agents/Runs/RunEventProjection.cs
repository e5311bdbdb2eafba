using System.Text;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Checkpoints;
using AgentKit.Agents.Events;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Runs;

/// <summary>
/// A checkpointed run's events derived from its checkpoints, in order and with the ids (<see cref="RunEventIds"/>) the
/// process running it gave them, so a client can attach to the run on any process sharing the store. What no
/// checkpoint records is not derived: each model step's text comes as one delta (the part a reader has not seen),
/// durations are the time between checkpoints, and history reductions and a planner's approvals are left out.
/// Feed it the checkpoints in sequence order, each once.
/// </summary>
internal sealed class RunEventProjection(RunInfo run)
{
    private const string InterruptedPrefix = "interrupted:";

    private readonly Dictionary<(int Step, string CallId), FunctionCallContent> _calls = [];
    private readonly Dictionary<(int Step, string Key), string> _asked = [];
    private readonly Dictionary<(int Step, string CallId), DateTimeOffset> _started = [];
    private readonly UsageDetails _usage = new() { InputTokenCount = 0, OutputTokenCount = 0, TotalTokenCount = 0 };
    private long _ordinal;
    private int _steps;
    private int _toolCalls;
    private DateTimeOffset _previous = run.StartedAt;

    /// <summary>The sequence of the last checkpoint applied; 0 before the first.</summary>
    public long LastSequence { get; private set; }

    /// <summary>The run's first event, recorded with the run itself.</summary>
    public AgentEvent Started() => Durable(new RunStartedEvent(run.SessionId, run.AgentName), run.StartedAt);

    /// <summary>The events a checkpoint other than <see cref="RunCheckpointKind.Completed"/> records.</summary>
    /// <exception cref="RunCheckpointException">Its payload is unreadable.</exception>
    public IReadOnlyList<AgentEvent> Apply(RunCheckpoint checkpoint)
    {
        LastSequence = checkpoint.Sequence;
        var events = new List<AgentEvent>();
        var key = checkpoint.CallId ?? string.Empty;
        var tool = checkpoint.ToolName ?? string.Empty;
        switch (checkpoint.Kind)
        {
            case RunCheckpointKind.ModelResponse:
                var response = CheckpointJson.ReadResponse(checkpoint);
                var text = new StringBuilder();
                foreach (var content in response.Messages.Where(m => m.Role != ChatRole.Tool).SelectMany(m => m.Contents).OfType<TextContent>())
                {
                    text.Append(content.Text);
                }

                if (text.Length > 0)
                {
                    events.Add(new TextDeltaEvent(text.ToString()) { RunId = run.RunId, Sequence = RunEventIds.Text(_ordinal, text.Length), Timestamp = checkpoint.CreatedAt });
                }

                foreach (var call in Calls(response))
                {
                    _calls[(checkpoint.Step, call.CallId)] = call;
                    events.Add(Durable(new ToolCallRequestedEvent(call.CallId, call.Name, call.Arguments), checkpoint.CreatedAt));
                }

                _steps = Math.Max(_steps, checkpoint.Step);
                if (response.Usage is { } usage)
                {
                    _usage.Add(usage);
                }

                events.Add(Durable(new StepCompletedEvent(checkpoint.Step, AgentStepKind.ModelCall, response.ModelId, checkpoint.CreatedAt - _previous, response.Usage), checkpoint.CreatedAt));
                break;
            case RunCheckpointKind.ToolCallStarted:
                _started[(checkpoint.Step, key)] = checkpoint.CreatedAt;
                break;
            case RunCheckpointKind.ToolCallCompleted:
                var result = CheckpointJson.ReadResult(checkpoint);
                var since = _started.GetValueOrDefault((checkpoint.Step, key), checkpoint.CreatedAt);
                events.Add(Durable(new ToolResultEvent(key, tool, result.Status, result.Text), checkpoint.CreatedAt));
                events.Add(Durable(new StepCompletedEvent(++_toolCalls, AgentStepKind.ToolCall, tool, checkpoint.CreatedAt - since, null), checkpoint.CreatedAt));
                break;
            case RunCheckpointKind.ApprovalRequested:
                var approvalId = CheckpointJson.ReadApprovalId(checkpoint);
                _asked[(checkpoint.Step, key)] = approvalId;
                var callId = key.StartsWith(InterruptedPrefix, StringComparison.Ordinal) ? key[InterruptedPrefix.Length..] : key;
                var arguments = _calls.TryGetValue((checkpoint.Step, callId), out var asked) && asked.Arguments is { } given
                    ? new Dictionary<string, object?>(given)
                    : [];
                events.Add(Durable(new ApprovalRequestedEvent(new ToolApprovalRequest(approvalId, run.SessionId, run.AgentName, tool, callId, arguments, checkpoint.CreatedAt)), checkpoint.CreatedAt));
                break;
            case RunCheckpointKind.ApprovalAnswered:
                var decision = CheckpointJson.ReadDecision(checkpoint);
                var id = CheckpointJson.ReadAnsweredApprovalId(checkpoint) ?? _asked.GetValueOrDefault((checkpoint.Step, key)) ?? key;
                events.Add(Durable(new ApprovalResolvedEvent(id, tool, decision.Approved, decision.Reason), checkpoint.CreatedAt));
                if (!decision.Approved && !key.StartsWith(InterruptedPrefix, StringComparison.Ordinal))
                {
                    // A denied call of the model's is answered with the denial; an interrupted call's refusal is recorded as its result.
                    _toolCalls++;
                    events.Add(Durable(new ToolResultEvent(key, tool, ToolCallStatus.Denied, decision.Reason ?? "Denied."), checkpoint.CreatedAt));
                }

                break;
        }

        _previous = checkpoint.CreatedAt;
        return events;
    }

    /// <summary>The last event, from the <see cref="RunCheckpointKind.Completed"/> checkpoint and the messages the run stored.</summary>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <param name="messages">The messages the run added to its session's history.</param>
    /// <exception cref="RunCheckpointException">Its payload is unreadable.</exception>
    public AgentEvent Complete(RunCheckpoint checkpoint, IReadOnlyList<ChatMessage> messages)
    {
        LastSequence = checkpoint.Sequence;
        var outcome = Enum.TryParse<AgentRunOutcome>(CheckpointJson.ReadOutcome(checkpoint), out var parsed) ? parsed : AgentRunOutcome.Failed;
        var result = new AgentRunResult
        {
            RunId = run.RunId,
            SessionId = run.SessionId,
            Outcome = outcome,
            Text = messages.LastOrDefault(m => m.Role == ChatRole.Assistant && m.Text.Length > 0)?.Text ?? string.Empty,
            Messages = messages,
            Steps = _steps,
            ToolCalls = _toolCalls,
            Usage = _usage,
            Duration = checkpoint.CreatedAt - run.StartedAt,
            Error = outcome == AgentRunOutcome.Completed ? null : messages.SelectMany(m => m.Contents).OfType<ErrorContent>().LastOrDefault()?.Message,
        };
        return Durable(outcome == AgentRunOutcome.Completed ? new RunCompletedEvent(result) : new RunFailedEvent(result), checkpoint.CreatedAt);
    }

    /// <summary>
    /// A response's tool calls, in order. A call that needs approval is recorded as the approval request function
    /// invocation turned it into (it rewrites the streamed update the checkpoint holds).
    /// </summary>
    public static IEnumerable<FunctionCallContent> Calls(ChatResponse response) =>
        response.Messages.SelectMany(m => m.Contents)
            .Select(c => c as FunctionCallContent ?? (c as ToolApprovalRequestContent)?.ToolCall as FunctionCallContent)
            .OfType<FunctionCallContent>();

    private AgentEvent Durable(AgentEvent evt, DateTimeOffset at) => evt with { RunId = run.RunId, Sequence = RunEventIds.Durable(++_ordinal), Timestamp = at };
}
