using System.Security.Cryptography;
using System.Text;
using AgentKit.Abstractions.Tools;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Checkpoints;

/// <summary>
/// One run's checkpoints: writes each step boundary to the <see cref="IRunCheckpointStore"/> and, for a resumed run,
/// answers from the checkpoints already written (model responses by step, tool results and approval answers by step
/// and call id), so the replayed part of the run repeats no model call and no tool call. After each write it wakes
/// this process's readers of the run (the runner's <see cref="RunCheckpointSignals"/>).
/// </summary>
internal sealed class RunJournal
{
    private readonly IRunCheckpointStore _store;
    private readonly RunCheckpointSignals? _signals;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, ChatResponse> _responses = [];
    private readonly Dictionary<(int Step, string CallId), ToolCallOutcome> _results = [];
    private readonly HashSet<(int Step, string CallId)> _started = [];
    private readonly Dictionary<(int Step, string CallId), ToolApprovalDecision> _answers = [];
    private readonly Dictionary<(int Step, string CallId), string> _asked = [];

    private RunJournal(IRunCheckpointStore store, string runId, bool resumed, RunCheckpointSignals? signals)
    {
        _store = store;
        _signals = signals;
        RunId = runId;
        Resumed = resumed;
    }

    public string RunId { get; }

    /// <summary>Whether the run was started before (by a process that died) and is being resumed.</summary>
    public bool Resumed { get; }

    /// <summary>Whether the run's start is stored, so its end must be stored through <see cref="CompleteAsync"/>.</summary>
    public bool Started { get; private set; }

    public static RunJournal New(IRunCheckpointStore store, string runId, RunCheckpointSignals? signals) => new(store, runId, resumed: false, signals);

    public static RunJournal Resume(IRunCheckpointStore store, string runId, IEnumerable<RunCheckpoint> checkpoints, RunCheckpointSignals? signals)
    {
        var journal = new RunJournal(store, runId, resumed: true, signals) { Started = true };
        foreach (var checkpoint in checkpoints)
        {
            var key = (checkpoint.Step, checkpoint.CallId ?? string.Empty);
            switch (checkpoint.Kind)
            {
                case RunCheckpointKind.ModelResponse:
                    journal._responses[checkpoint.Step] = CheckpointJson.ReadResponse(checkpoint);
                    break;
                case RunCheckpointKind.ToolCallStarted:
                    journal._started.Add(key);
                    break;
                case RunCheckpointKind.ToolCallCompleted:
                    journal._results[key] = CheckpointJson.ReadResult(checkpoint);
                    break;
                case RunCheckpointKind.ApprovalRequested:
                    journal._asked[key] = CheckpointJson.ReadApprovalId(checkpoint);
                    break;
                case RunCheckpointKind.ApprovalAnswered:
                    journal._answers[key] = CheckpointJson.ReadDecision(checkpoint);
                    break;
            }
        }

        return journal;
    }

    /// <summary>The idempotency key of one tool call of this run: stable across attempts, 32 hex characters.</summary>
    public string IdempotencyKey(int step, string callId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{RunId}\n{step}\n{callId}")))[..32];

    public async ValueTask StartAsync(RunInfo run, CancellationToken cancellationToken)
    {
        if (!Resumed)
        {
            await _store.StartRunAsync(run, cancellationToken).ConfigureAwait(false);
        }

        Started = true;
    }

    public bool TryReplayResponse(int step, out ChatResponse response)
    {
        lock (_lock)
        {
            return _responses.TryGetValue(step, out response!);
        }
    }

    public ValueTask<long> RecordResponseAsync(int step, ChatResponse response, CancellationToken cancellationToken) =>
        AppendAsync(new RunCheckpointData(RunCheckpointKind.ModelResponse, step, null, null, CheckpointJson.Response(response)), cancellationToken);

    public ToolCallOutcome? RecordedResult(int step, string callId)
    {
        lock (_lock)
        {
            return _results.GetValueOrDefault((step, callId));
        }
    }

    public bool WasStarted(int step, string callId)
    {
        lock (_lock)
        {
            return _started.Contains((step, callId));
        }
    }

    public ValueTask<long> RecordToolStartAsync(int step, string callId, string toolName, IDictionary<string, object?>? arguments, CancellationToken cancellationToken) =>
        AppendAsync(new RunCheckpointData(RunCheckpointKind.ToolCallStarted, step, callId, toolName, CheckpointJson.Arguments(arguments)), cancellationToken);

    public ValueTask<long> RecordToolResultAsync(int step, string callId, string toolName, ToolCallOutcome outcome, CancellationToken cancellationToken) =>
        AppendAsync(new RunCheckpointData(RunCheckpointKind.ToolCallCompleted, step, callId, toolName, CheckpointJson.Result(outcome)), cancellationToken);

    public ToolApprovalDecision? RecordedAnswer(int step, string callId)
    {
        lock (_lock)
        {
            return _answers.GetValueOrDefault((step, callId));
        }
    }

    /// <summary>The approval id under which the request was recorded, when it was.</summary>
    public string? RecordedApprovalId(int step, string callId)
    {
        lock (_lock)
        {
            return _asked.GetValueOrDefault((step, callId));
        }
    }

    public async ValueTask RecordApprovalRequestAsync(int step, string callId, string toolName, string approvalId, string? reason, CancellationToken cancellationToken)
    {
        if (RecordedApprovalId(step, callId) is null)
        {
            await AppendAsync(new RunCheckpointData(RunCheckpointKind.ApprovalRequested, step, callId, toolName, CheckpointJson.ApprovalRequest(approvalId, reason)), cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask<long> RecordApprovalAnswerAsync(int step, string callId, string toolName, string approvalId, ToolApprovalDecision decision, CancellationToken cancellationToken) =>
        AppendAsync(new RunCheckpointData(RunCheckpointKind.ApprovalAnswered, step, callId, toolName, CheckpointJson.Decision(decision, approvalId)), cancellationToken);

    public async ValueTask CompleteAsync(string outcome, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken)
    {
        await _store.CompleteRunAsync(RunId, outcome, messages, cancellationToken).ConfigureAwait(false);
        _signals?.Signal(RunId);
    }

    private async ValueTask<long> AppendAsync(RunCheckpointData checkpoint, CancellationToken cancellationToken)
    {
        var sequence = await _store.AppendAsync(RunId, checkpoint, cancellationToken).ConfigureAwait(false);
        _signals?.Signal(RunId);
        return sequence;
    }
}
