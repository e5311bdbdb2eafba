using System.Diagnostics;
using System.Threading.Channels;
using AgentKit.Abstractions.Agents;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Abstractions.Evidence;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Checkpoints;
using AgentKit.Agents.Diagnostics;
using AgentKit.Agents.Events;
using AgentKit.Agents.Tools;
using AgentKit.Agents.Tools.Selection;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AgentKit.Agents.Runs;

/// <summary>
/// One run of an agent in a session: builds the request, drives Microsoft.Extensions.AI's function-invocation loop
/// (with AgentKit's tool invoker under it and a step observer under that), resolves approvals, enforces limits and
/// writes every event to <see cref="Events"/>.
/// </summary>
internal sealed class AgentRun : IToolCallObserver, IToolCallJournal
{
    private readonly AgentRunner _runtime;
    private readonly AgentDefinition _agent;
    private readonly string _sessionId;
    private readonly ChatMessage _input;
    private readonly Channel<AgentEvent> _events = Channel.CreateUnbounded<AgentEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    private readonly UsageDetails _usage = new() { InputTokenCount = 0, OutputTokenCount = 0, TotalTokenCount = 0 };
    private readonly ILogger _logger;
    private readonly bool _streamEvents;
    private readonly RunJournal? _journal;
    private readonly RunEventLog? _log;
    private readonly Lock _emitting = new();
    private long _sequence;
    private int _unrecorded;
    private long _textOffset;
    private int _steps;
    private int _toolCalls;
    private bool _argumentBudgetExhausted;
    private AgentRunResult? _result;

    // resumed: the checkpoints of an interrupted run to resume, null for a new run; log: keeps the events for
    // clients that attach later (resumed runs).
    public AgentRun(AgentRunner runtime, AgentDefinition agent, string sessionId, ChatMessage input, bool streamEvents, RunJournal? resumed = null, RunEventLog? log = null)
    {
        _streamEvents = streamEvents;
        _log = log;
        Id = resumed?.RunId ?? Guid.NewGuid().ToString("N");
        _journal = resumed ?? (runtime.Checkpoints is { } checkpoints ? RunJournal.New(checkpoints, Id, runtime.LocalSignals) : null);
        _runtime = runtime;
        _agent = agent;
        _sessionId = sessionId;
        _input = input;
        _logger = runtime.LoggerFactory.CreateLogger<AgentRun>();
    }

    public string Id { get; }

    internal bool IsCheckpointed => _journal is not null;

    public ChannelReader<AgentEvent> Events => _events.Reader;

    public AgentRunResult Result => _result ?? throw new InvalidOperationException("The run has not finished.");

    public async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var logScope = AgentsLog.RunScope(_logger, _sessionId, Id, _agent.Name);
        using var activity = StartRunActivity();
        using var timeout = new CancellationTokenSource(_agent.Limits.Timeout, _runtime.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked.Token;

        // Set inside this async method, so it flows to the tools of this run and is gone when the method returns.
        AgentRunContext.Enter(new AgentRunContext(_agent.Name, _sessionId, Id));
        Emit(new RunStartedEvent(_sessionId, _agent.Name));
        List<ChatMessage> added = [_input];
        AgentTurnContext? turn = null;
        var outcome = AgentRunOutcome.Completed;
        string? error = null;
        try
        {
            var history = await LoadHistoryAsync(token).ConfigureAwait(false);
            if (_journal is not null)
            {
                await _journal.StartAsync(new RunInfo(Id, _sessionId, _agent.Name, _input, history.Count, _runtime.Time.GetUtcNow()), token).ConfigureAwait(false);
            }

            var request = new List<ChatMessage>(history.Count + 4);
            request.AddRange(await _runtime.RenderInstructionsAsync(_agent, _sessionId, token).ConfigureAwait(false));
            request.AddRange(history);
            request.Add(_input);
            turn = new AgentRunTurnContext(
                GovernToolsForPlannerAsync,
                p => Emit(new PlannerProgressEvent(p.Planner, p.Kind, p.StepKind, p.Name, p.Text), recorded: false))
            {
                AgentName = _agent.Name,
                SessionId = _sessionId,
                RunId = Id,
                Input = _input,
                History = history,
                RequestMessages = request,
                ChatClient = _runtime.GetChatClient(_agent),
                Services = _runtime.Services,
            };
            if (_agent.Memory is { } memory)
            {
                await memory.BeforeTurnAsync(turn, token).ConfigureAwait(false);
            }

            if (_agent.Planner is { } planner)
            {
                await planner.PlanTurnAsync(turn, token).ConfigureAwait(false);
            }

            outcome = await LoopAsync(request, added, token).ConfigureAwait(false);
            if (outcome == AgentRunOutcome.ToolArgumentsRejected)
            {
                error = "The model called tools with invalid arguments more often than the retry budget allows.";
            }
        }
        catch (AgentLimitException limit)
        {
            (outcome, error) = (limit.Outcome, limit.Message);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            (outcome, error) = (AgentRunOutcome.TimedOut, $"The run did not finish within {_agent.Limits.Timeout}.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            (outcome, error) = (AgentRunOutcome.Cancelled, "The run was cancelled.");
        }
        catch (Exception ex)
        {
            AgentsLog.RunFailed(_logger, ex, _agent.Name, Id);
            (outcome, error) = (AgentRunOutcome.Failed, $"{ex.GetType().Name}: {ex.Message}");
        }

        if (outcome != AgentRunOutcome.Completed && error is not null)
        {
            // Kept in the session so that a client reloading the conversation sees how the turn ended; never sent to a model.
            added.Add(new ChatMessage(ChatRole.Assistant, [new ErrorContent(error) { ErrorCode = outcome.ToString() }]));
        }

        var stored = HistoryNormalizer.Normalize(added);
        var leftUnfinished = _journal is { Started: true } && outcome == AgentRunOutcome.Cancelled && _runtime.IsSuspending;
        try
        {
            // Stored even when the run was cancelled: the input and every finished step are part of the conversation.
            // A checkpointed run stores them with its end in one transaction, so a resumed run never stores them twice.
            if (leftUnfinished)
            {
                // Shutting down: the run stays unfinished and the next process resumes it from its checkpoints.
            }
            else if (_journal is { Started: true })
            {
                await _journal.CompleteAsync(outcome.ToString(), stored, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await _runtime.Store.AppendMessagesAsync(_sessionId, stored, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            AgentsLog.RunFailed(_logger, ex, _agent.Name, Id);
            (outcome, error) = (AgentRunOutcome.Failed, $"The history could not be stored: {ex.GetType().Name}: {ex.Message}");
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        _result = new AgentRunResult
        {
            RunId = Id,
            SessionId = _sessionId,
            Outcome = outcome,
            Text = stored.LastOrDefault(m => m.Role == ChatRole.Assistant && m.Text.Length > 0)?.Text ?? string.Empty,
            Messages = stored,
            Steps = _steps,
            ToolCalls = Volatile.Read(ref _toolCalls),
            Usage = _usage,
            Duration = elapsed,
            Error = error,
        };

        if (turn is not null && _agent.Memory is { } after)
        {
            try
            {
                await after.AfterTurnAsync(turn, new AgentTurnResult(_result.IsCompleted, _result.Text, _result.Messages), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                AgentsLog.RunFailed(_logger, ex, _agent.Name, Id);
            }
        }

        CompleteTelemetry(activity, outcome, error, elapsed);

        AgentsLog.RunFinished(_logger, _agent.Name, Id, _sessionId, outcome.ToString(), _steps, elapsed);
        // A run left for the next process has not ended: the process resuming it goes on with the same event ids.
        Emit(outcome == AgentRunOutcome.Completed ? new RunCompletedEvent(_result) : new RunFailedEvent(_result), recorded: !leftUnfinished);
        _events.Writer.TryComplete();
        _log?.Complete();
    }

    private Activity? StartRunActivity()
    {
        var activity = AgentTelemetry.Source.StartActivity(AgentTelemetry.RunActivityName, ActivityKind.Internal);
        if (activity is null)
        {
            return null;
        }

        activity.DisplayName = $"invoke_agent {_agent.Name}";
        activity.SetTag(TelemetryAttributes.OperationName, "invoke_agent");
        activity.SetTag(TelemetryAttributes.AgentName, _agent.Name);
        activity.SetTag(TelemetryAttributes.ConversationId, _sessionId);
        activity.SetTag(TelemetryAttributes.SessionId, _sessionId);
        activity.SetTag(TelemetryAttributes.RunId, Id);
        if (_runtime.Telemetry.EnableSensitiveData)
        {
            activity.SetTag(TelemetryAttributes.InputMessages, AgentTelemetry.MessagesJson(_input.Role.Value, _input.Text));
        }

        return activity;
    }

    private void CompleteTelemetry(Activity? activity, AgentRunOutcome outcome, string? error, TimeSpan elapsed)
    {
        var result = Result;
        if (activity is not null)
        {
            activity.SetTag(TelemetryAttributes.RunOutcome, outcome.ToString());
            activity.SetTag(TelemetryAttributes.RunSteps, result.Steps);
            activity.SetTag(TelemetryAttributes.RunToolCalls, result.ToolCalls);
            if (_usage.TotalTokenCount > 0)
            {
                // Left out when the model reported no usage: zero would claim a count nobody measured.
                activity.SetTag(TelemetryAttributes.InputTokens, _usage.InputTokenCount);
                activity.SetTag(TelemetryAttributes.OutputTokens, _usage.OutputTokenCount);
            }

            if (_runtime.Telemetry.EnableSensitiveData && result.Text.Length > 0)
            {
                activity.SetTag(TelemetryAttributes.OutputMessages, AgentTelemetry.MessagesJson("assistant", result.Text));
            }

            if (outcome != AgentRunOutcome.Completed)
            {
                activity.SetTag(TelemetryAttributes.ErrorType, outcome.ToString());
                activity.SetStatus(ActivityStatusCode.Error, error);
            }
        }

        if (AgentTelemetry.RunDuration.Enabled)
        {
            AgentTelemetry.RunDuration.Record(
                elapsed.TotalSeconds,
                new KeyValuePair<string, object?>(TelemetryAttributes.AgentName, _agent.Name),
                new KeyValuePair<string, object?>(TelemetryAttributes.RunOutcome, outcome.ToString()));
        }

        if (AgentTelemetry.RunTokens.Enabled && _usage.TotalTokenCount > 0)
        {
            var agent = new KeyValuePair<string, object?>(TelemetryAttributes.AgentName, _agent.Name);
            AgentTelemetry.RunTokens.Record(_usage.InputTokenCount ?? 0, agent, new KeyValuePair<string, object?>(TelemetryAttributes.TokenType, "input"));
            AgentTelemetry.RunTokens.Record(_usage.OutputTokenCount ?? 0, agent, new KeyValuePair<string, object?>(TelemetryAttributes.TokenType, "output"));
        }
    }

    private async Task<IReadOnlyList<ChatMessage>> LoadHistoryAsync(CancellationToken cancellationToken)
    {
        var history = HistoryNormalizer.WithoutRunErrors(await _runtime.Store.LoadMessagesAsync(_sessionId, cancellationToken).ConfigureAwait(false));
        if (_runtime.GetHistoryReducer(_agent) is not { } reducer)
        {
            return history;
        }

        var reduced = (await reducer.ReduceAsync(history, cancellationToken).ConfigureAwait(false)).ToList();
        if (reduced.Count == history.Count && reduced.SequenceEqual(history))
        {
            return history;
        }

        await _runtime.Store.ReplaceMessagesAsync(_sessionId, reduced, cancellationToken).ConfigureAwait(false);
        AgentsLog.HistoryReduced(_logger, _sessionId, history.Count, reduced.Count);
        Emit(new HistoryReducedEvent(history.Count, reduced.Count), recorded: false);
        return reduced;
    }

    private async Task<AgentRunOutcome> LoopAsync(List<ChatMessage> request, List<ChatMessage> added, CancellationToken cancellationToken)
    {
        var pipelineOptions = _agent.ToolOptions ?? _runtime.ToolOptions;
        var (tools, model) = AgentToolSelection.Apply(
            _agent, _runtime.Services, await _runtime.Tools.ResolveAsync(_agent.Tools, _agent.UseAgentToolSources ? _agent.Name : null, cancellationToken).ConfigureAwait(false), new StepObservingChatClient(WithEvidenceConflicts(_runtime.GetChatClient(_agent), pipelineOptions), this));
        var byName = tools.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var options = _agent.ChatOptions?.Clone() ?? new ChatOptions();
        if (tools.Count > 0)
        {
            options.Tools = [.. tools.Select(t => pipelineOptions.RequiresApproval(t.Name) && t.GetService<ApprovalRequiredAIFunction>() is null ? new ApprovalRequiredAIFunction(t) : (AITool)t)];
            options.ToolMode ??= ChatToolMode.Auto;
        }

        var governor = new ToolGovernor(tools, pipelineOptions, _runtime.ApprovalHandler, _runtime.LoggerFactory)
        {
            SessionId = _sessionId,
            AgentName = _agent.Name,
            EnableSensitiveData = _runtime.Telemetry.EnableSensitiveData,
            TimeProvider = _runtime.Time,
            Observer = this,
        };
        using var client = ToolPipeline.CreateInvokingClient(
            model, governor, _runtime.LoggerFactory, this, _runtime.Services,
            maximumIterations: _agent.Limits.MaxSteps + 1, journal: _journal is null ? null : this);

        while (true)
        {
            var updates = new List<ChatResponseUpdate>();
            List<ToolApprovalRequestContent>? approvals = null;
            try
            {
                await foreach (var update in client.GetStreamingResponseAsync(request, options, cancellationToken).ConfigureAwait(false))
                {
                    updates.Add(update);
                    foreach (var content in update.Contents)
                    {
                        if (content is TextContent { Text.Length: > 0 } text && update.Role != ChatRole.Tool)
                        {
                            Emit(new TextDeltaEvent(text.Text));
                        }
                        else if (content is ToolApprovalRequestContent approval)
                        {
                            (approvals ??= []).Add(approval);
                        }
                    }
                }
            }
            catch (Exception) when (updates.Count > 0)
            {
                // A run that times out, is stopped or fails mid-answer keeps what the user already saw: the streamed
                // text and the finished tool calls (a call without its result is dropped when the history is stored).
                added.AddRange(updates.ToChatResponse().Messages);
                throw;
            }

            var response = updates.ToChatResponse();
            request.AddRange(response.Messages);
            added.AddRange(response.Messages);
            if (_argumentBudgetExhausted)
            {
                return AgentRunOutcome.ToolArgumentsRejected;
            }

            if (approvals is null)
            {
                return AgentRunOutcome.Completed;
            }

            var answers = new ChatMessage(ChatRole.User, []);
            foreach (var approval in approvals)
            {
                answers.Contents.Add(await DecideAsync(approval, byName, cancellationToken).ConfigureAwait(false));
            }

            request.Add(answers);
            added.Add(answers);
        }
    }

    private async Task<ToolApprovalResponseContent> DecideAsync(ToolApprovalRequestContent approval, Dictionary<string, AIFunction> tools, CancellationToken cancellationToken)
    {
        var call = (FunctionCallContent)approval.ToolCall;
        ToolApprovalDecision? refusal = null;
        if (!tools.TryGetValue(call.Name, out var tool))
        {
            refusal = ToolApprovalDecision.Deny($"The tool '{call.Name}' is not available to this agent.");
        }
        else if (ToolGovernor.ValidateArguments(tool, call.Arguments) is { Count: > 0 } errors)
        {
            // Nobody is asked to approve a call that could not run anyway.
            refusal = ToolApprovalDecision.Deny($"Invalid arguments: {string.Join("; ", errors)}. Call it again with arguments that match its parameter schema.");
        }

        var request = new ToolApprovalRequest(
            approval.RequestId, _sessionId, _agent.Name, call.Name, call.CallId, new Dictionary<string, object?>(call.Arguments ?? new Dictionary<string, object?>()), _runtime.Time.GetUtcNow());
        var (decision, approvalId) = refusal is null
            ? await AskDurablyAsync(request, request.CallId, null, cancellationToken).ConfigureAwait(false)
            : await RefuseDurablyAsync(request, refusal, cancellationToken).ConfigureAwait(false);
        Resolved(approvalId, call.Name, decision);
        if (!decision.Approved)
        {
            Interlocked.Increment(ref _toolCalls);
            Emit(new ToolResultEvent(call.CallId, call.Name, ToolCallStatus.Denied, decision.Reason ?? "Denied."));
        }

        return approval.CreateResponse(decision.Approved, decision.Reason);
    }

    /// <summary>
    /// The agent's allowlisted tools for calls outside the model loop (a planner's), in a pipeline with the agent's
    /// tool options; approvals are asked and resolved as the loop's are, events included.
    /// </summary>
    private async ValueTask<IReadOnlyList<AIFunction>> GovernToolsForPlannerAsync(CancellationToken cancellationToken)
    {
        var tools = await _runtime.Tools.ResolveAsync(_agent.Tools, _agent.UseAgentToolSources ? _agent.Name : null, cancellationToken).ConfigureAwait(false);
        var governor = new ToolGovernor(tools, _agent.ToolOptions ?? _runtime.ToolOptions, new DelegateToolApprovalHandler(RequestApprovalAsync), _runtime.LoggerFactory)
        {
            SessionId = _sessionId,
            AgentName = _agent.Name,
            EnableSensitiveData = _runtime.Telemetry.EnableSensitiveData,
            TimeProvider = _runtime.Time,
        };
        return governor.Tools;
    }

    private async ValueTask<ToolApprovalDecision> RequestApprovalAsync(ToolApprovalRequest request, CancellationToken cancellationToken)
    {
        // A planner's calls are not checkpointed: their events are not among those other processes derive.
        var decision = await AskAsync(request, recorded: false, cancellationToken).ConfigureAwait(false);
        Resolved(request.ApprovalId, request.ToolName, decision, recorded: false);
        return decision;
    }

    /// <summary>
    /// Asks for a decision the run records: an answer recorded before a crash is reused, a request recorded without
    /// an answer is asked again under its recorded id (so a client holding that id can still answer it).
    /// </summary>
    private async Task<(ToolApprovalDecision Decision, string ApprovalId)> AskDurablyAsync(ToolApprovalRequest request, string key, string? reason, CancellationToken cancellationToken)
    {
        if (_journal is null)
        {
            return (await AskAsync(request, recorded: true, cancellationToken).ConfigureAwait(false), request.ApprovalId);
        }

        if (_journal.RecordedApprovalId(_steps, key) is { } recordedId)
        {
            request = request with { ApprovalId = recordedId };
        }

        if (_journal.RecordedAnswer(_steps, key) is { } answered)
        {
            // Replayed: the request was announced when it was asked, and its announcement is part of the run's events.
            if (_journal.RecordedApprovalId(_steps, key) is not null)
            {
                Emit(new ApprovalRequestedEvent(request));
            }

            return (answered, request.ApprovalId);
        }

        var journal = _journal;
        var decision = await AskAsync(request, recorded: true, cancellationToken, () => journal.RecordApprovalRequestAsync(_steps, key, request.ToolName, request.ApprovalId, reason, cancellationToken)).ConfigureAwait(false);
        await _journal.RecordApprovalAnswerAsync(_steps, key, request.ToolName, request.ApprovalId, decision, cancellationToken).ConfigureAwait(false);
        return (decision, request.ApprovalId);
    }

    /// <summary>Records a call refused without asking anyone (unknown tool, invalid arguments), so the refusal is among the run's derived events.</summary>
    private async Task<(ToolApprovalDecision Decision, string ApprovalId)> RefuseDurablyAsync(ToolApprovalRequest request, ToolApprovalDecision refusal, CancellationToken cancellationToken)
    {
        if (_journal is null)
        {
            return (refusal, request.ApprovalId);
        }

        if (_journal.RecordedAnswer(_steps, request.CallId) is { } answered)
        {
            return (answered, request.ApprovalId);
        }

        await _journal.RecordApprovalAnswerAsync(_steps, request.CallId, request.ToolName, request.ApprovalId, refusal, cancellationToken).ConfigureAwait(false);
        return (refusal, request.ApprovalId);
    }

    private async Task<ToolApprovalDecision> AskAsync(ToolApprovalRequest request, bool recorded, CancellationToken cancellationToken, Func<ValueTask>? record = null)
    {
        // Ask first, announce second: a handler registers the request before its first await (PendingApprovals
        // does), so a client that approves the moment it sees the event finds the request pending.
        // With replicas sharing approvals, the request is also visible to the others before the event goes out, and
        // before its checkpoint, from which other replicas derive the event.
        using var asking = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = _runtime.ApprovalHandler.RequestApprovalAsync(request, asking.Token).AsTask();
        if (_runtime.ApprovalHandler is PendingApprovals shared && !pending.IsCompleted)
        {
            await shared.WhenPublished(request.ApprovalId).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (record is not null)
        {
            try
            {
                await record().ConfigureAwait(false);
            }
            catch
            {
                await asking.CancelAsync().ConfigureAwait(false);
                await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                throw;
            }
        }

        Emit(new ApprovalRequestedEvent(request), recorded);
        return await pending.ConfigureAwait(false);
    }

    private void Resolved(string requestId, string toolName, ToolApprovalDecision decision, bool recorded = true)
    {
        AgentsLog.ApprovalResolved(_logger, requestId, toolName, decision.Approved, decision.Reason);
        Emit(new ApprovalResolvedEvent(requestId, toolName, decision.Approved, decision.Reason), recorded);
    }

    internal void BeforeModelCall()
    {
        if (_steps >= _agent.Limits.MaxSteps)
        {
            throw new AgentLimitException(AgentRunOutcome.StepLimitReached, $"The run needed more than {_agent.Limits.MaxSteps} model calls (AgentLimits.MaxSteps).");
        }

        if (_agent.Limits.MaxTokens is { } max && _usage.TotalTokenCount >= max)
        {
            throw new AgentLimitException(AgentRunOutcome.TokenLimitReached, $"The run used {_usage.TotalTokenCount} tokens, reaching its limit of {max} (AgentLimits.MaxTokens).");
        }

        _steps++;
    }

    internal bool TryReplayResponse(out ChatResponse response)
    {
        response = null!;
        return _journal is not null && _journal.TryReplayResponse(_steps, out response);
    }

    internal async ValueTask CheckpointResponseAsync(ChatResponse response, CancellationToken cancellationToken)
    {
        if (_journal is not null)
        {
            await _journal.RecordResponseAsync(_steps, response, cancellationToken).ConfigureAwait(false);
        }
    }

    async ValueTask<ToolCallOutcome?> IToolCallJournal.BeforeInvokeAsync(AIFunction tool, FunctionInvocationContext context, CancellationToken cancellationToken)
    {
        var journal = _journal!;
        var callId = context.CallContent.CallId;
        var step = _steps;
        (context.Arguments.Context ??= new Dictionary<object, object?>())[ToolCallContext.IdempotencyKeyName] = journal.IdempotencyKey(step, callId);
        if (journal.RecordedResult(step, callId) is { } recorded)
        {
            // Replayed, never re-run: the call's effect and result are part of the run already.
            ((IToolCallObserver)this).OnToolCallCompleted(new ToolCallRecord(callId, tool.Name, recorded.Status, recorded.Text, TimeSpan.Zero));
            return recorded;
        }

        if (journal.WasStarted(step, callId))
        {
            var policy = (_agent.ToolOptions ?? _runtime.ToolOptions).IdempotencyFor(tool.Name);
            AgentsLog.InterruptedToolCall(_logger, tool.Name, callId, policy.ToString());
            if (policy == ToolIdempotency.NotIdempotent)
            {
                var request = new ToolApprovalRequest(
                    "resume-" + journal.IdempotencyKey(step, callId), _sessionId, _agent.Name, tool.Name, callId,
                    new Dictionary<string, object?>(context.Arguments), _runtime.Time.GetUtcNow());
                var (decision, approvalId) = await AskDurablyAsync(request, "interrupted:" + callId, "interrupted", cancellationToken).ConfigureAwait(false);
                Resolved(approvalId, tool.Name, decision);
                if (!decision.Approved)
                {
                    var refused = new ToolCallOutcome(
                        ToolCallStatus.Denied,
                        $"Error: the call to '{tool.Name}' was interrupted by a restart before its result was recorded, so it may or may not have taken effect; it was not run again: {decision.Reason ?? "no reason given"}.");
                    await journal.RecordToolResultAsync(step, callId, tool.Name, refused, cancellationToken).ConfigureAwait(false);
                    ((IToolCallObserver)this).OnToolCallCompleted(new ToolCallRecord(callId, tool.Name, refused.Status, refused.Text, TimeSpan.Zero));
                    return refused;
                }
            }

            return null;
        }

        await journal.RecordToolStartAsync(step, callId, tool.Name, context.Arguments, cancellationToken).ConfigureAwait(false);
        return null;
    }

    async ValueTask IToolCallJournal.AfterInvokeAsync(AIFunction tool, FunctionInvocationContext context, ToolCallOutcome outcome, CancellationToken cancellationToken) =>
        await _journal!.RecordToolResultAsync(_steps, context.CallContent.CallId, tool.Name, outcome, cancellationToken).ConfigureAwait(false);

    internal void OnToolCallRequested(FunctionCallContent call) => Emit(new ToolCallRequestedEvent(call.CallId, call.Name, call.Arguments));

    internal void OnModelCallCompleted(TimeSpan duration, UsageDetails? usage, string? modelId)
    {
        if (usage is not null)
        {
            _usage.Add(usage);
            if (usage.TotalTokenCount is null)
            {
                _usage.TotalTokenCount += (usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0);
            }
        }

        Emit(new StepCompletedEvent(_steps, AgentStepKind.ModelCall, modelId, duration, usage));
    }

    void IToolCallObserver.OnToolCallCompleted(ToolCallRecord record)
    {
        var step = Interlocked.Increment(ref _toolCalls);
        Emit(new ToolResultEvent(record.CallId, record.ToolName, record.Status, record.Result));
        Emit(new StepCompletedEvent(step, AgentStepKind.ToolCall, record.ToolName, record.Duration, null));
    }

    void IToolCallObserver.OnArgumentRetryBudgetExhausted(string toolName) => _argumentBudgetExhausted = true;

    /// <summary>
    /// Stamps and sends an event. A checkpointed run's ids are those <see cref="RunEventProjection"/> derives from its
    /// checkpoints (<see cref="RunEventIds"/>), so a client re-attaching on another process continues where it was;
    /// <paramref name="recorded"/> is <see langword="false"/> for events no checkpoint records. Without checkpoints, ids count 1, 2, ….
    /// </summary>
    private void Emit(AgentEvent evt, bool recorded = true)
    {
        if (!_streamEvents && _log is null)
        {
            return;
        }

        AgentEvent stamped;
        lock (_emitting)
        {
            long sequence;
            if (_journal is null)
            {
                sequence = ++_sequence;
            }
            else if (evt is TextDeltaEvent text)
            {
                _textOffset += text.Text.Length;
                sequence = RunEventIds.Text(_sequence, _textOffset);
            }
            else if (!recorded)
            {
                // After text of the step it would sort before what was sent: it takes the last text's id instead.
                sequence = _textOffset > 0 ? RunEventIds.Text(_sequence, _textOffset) : RunEventIds.Unrecorded(_sequence, ++_unrecorded);
            }
            else
            {
                (_unrecorded, _textOffset) = (0, 0);
                sequence = RunEventIds.Durable(++_sequence);
            }

            stamped = evt with { RunId = Id, Sequence = sequence, Timestamp = _runtime.Time.GetUtcNow() };
            if (_streamEvents)
            {
                _events.Writer.TryWrite(stamped);
            }

            _log?.Add(stamped);
        }
    }

    /// <summary>Surfaces disagreeing tool results under the function-invoking loop, unless the pipeline turns it off.</summary>
    private static IChatClient WithEvidenceConflicts(IChatClient model, ToolPipelineOptions options) =>
        options.EvidenceConflicts is { } conflicts ? new EvidenceConflictChatClient(model, conflicts) : model;
}
