using System.Diagnostics;
using AgentKit.Abstractions;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>
/// One run of a strategy: the client, the budget meter and the trace. Every model call of the run goes through
/// it, so calls, tokens and time are counted in one place and the limits hold across parallel paths.
/// </summary>
internal sealed class PlanningRun : IDisposable
{
    private readonly IChatClient _client;
    private readonly BudgetMeter _meter;
    private readonly string _strategy;
    private readonly Activity? _activity;
    private readonly PlanningObserver? _observer;
    private int _batchedRequests;
    private int _branches;
    private int _calls;

    public PlanningRun(string strategy, IChatClient client, IPromptRegistry prompts, PlanningBudget? budget, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        Prompts = prompts;
        _client = client;
        _strategy = strategy;
        _meter = new BudgetMeter(budget, cancellationToken);
        MultiSequence = client.GetService<IMultiSequenceChatClient>();
        _activity = PlanningTelemetry.StartRun(strategy);
        _observer = PlanningObserver.Current;
        if (_activity is not null || _observer is not null)
        {
            Trace.StepAdded = OnStepAdded;
        }
    }

    public IPromptRegistry Prompts { get; }

    public PlanningTrace Trace { get; } = new();

    public BudgetMeter Meter => _meter;

    /// <summary>The engine's multi-sequence decoding, when the client offers it.</summary>
    public IMultiSequenceChatClient? MultiSequence { get; }

    /// <summary>Multi-sequence requests made (each may carry several completions).</summary>
    public int BatchedRequests => Volatile.Read(ref _batchedRequests);

    public CancellationToken Token => _meter.Token;

    public PromptTemplate Prompt(string name) => Prompts.Get(name);

    /// <summary>One completion of a rendered prompt, by the run's client or <paramref name="client"/> (a critic, a judge), metered alike.</summary>
    public async Task<ChatResponse> CompleteAsync(PromptTemplate prompt, IReadOnlyDictionary<string, object?> inputs, ChatOptions? overrides = null, IChatClient? client = null)
    {
        var messages = prompt.Render(inputs);
        var options = prompt.CreateChatOptions(overrides);
        return await CompleteAsync(prompt.Name, messages, options, client).ConfigureAwait(false);
    }

    /// <summary>One completion of a conversation, by the run's client or <paramref name="client"/>.</summary>
    public Task<ChatResponse> CompleteAsync(string name, IList<ChatMessage> messages, ChatOptions options, IChatClient? client = null) =>
        GuardAsync(async () =>
        {
            var reserved = _meter.Reserve(1);
            var call = StartCalls(name, 1);
            using var step = PlanningTelemetry.StartStep(_strategy, TraceStepKind.ModelCall, name, branch: null);
            ChatResponse response;
            try
            {
                response = _observer is null
                    ? await (client ?? _client).GetResponseAsync(messages, options, Token).ConfigureAwait(false)
                    : await StreamAsync(client ?? _client, name, call, messages, options).ConfigureAwait(false);
            }
            catch (Exception e) when (AgentKitTelemetry.Fail(step, e))
            {
                throw;
            }
            catch
            {
                _meter.Release(reserved);
                throw;
            }

            _meter.Settle(reserved, [response]);
            PlanningTelemetry.SetUsage(step, [response]);
            Completed(Trace.Add(TraceStepKind.ModelCall, name, PlanningTrace.Format(messages), response.Text, usage: response.Usage), call);
            return response;
        });

    /// <summary>A streamed completion: each piece of text is reported as it comes, the whole response returned as the non-streaming call would.</summary>
    private async Task<ChatResponse> StreamAsync(IChatClient client, string name, int call, IList<ChatMessage> messages, ChatOptions options)
    {
        List<ChatResponseUpdate> updates = [];
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, Token).ConfigureAwait(false))
        {
            updates.Add(update);
            if (update.Text is { Length: > 0 } text)
            {
                _observer!.Post(new PlanningUpdate { Kind = PlanningUpdateKind.TextDelta, Planner = _strategy, StepKind = TraceStepKind.ModelCall, Name = name, Call = call, Text = text });
            }
        }

        return updates.ToChatResponse();
    }

    /// <summary>Reports that a step other than a model call (a tool call, a program run) begins.</summary>
    public void StepStarted(TraceStepKind kind, string name) =>
        _observer?.Post(new PlanningUpdate { Kind = PlanningUpdateKind.StepStarted, Planner = _strategy, StepKind = kind, Name = name });

    /// <summary>Numbers <paramref name="count"/> model calls of one prompt and reports their start; returns the first number.</summary>
    private int StartCalls(string name, int count)
    {
        var first = Interlocked.Add(ref _calls, count) - count + 1;
        for (var i = 0; i < count; i++)
        {
            _observer?.Post(new PlanningUpdate { Kind = PlanningUpdateKind.StepStarted, Planner = _strategy, StepKind = TraceStepKind.ModelCall, Name = name, Call = first + i });
        }

        return first;
    }

    private void Completed(TraceStep step, int? call) =>
        _observer?.Post(new PlanningUpdate { Kind = PlanningUpdateKind.StepCompleted, Planner = _strategy, StepKind = step.Kind, Name = step.Name, Call = call, Step = step });

    /// <summary>
    /// A structured answer from a prompt with an <c>outputs</c> schema (or one generated from <typeparamref name="T"/>),
    /// through <see cref="PromptChatClientExtensions.GetStructuredAsync{T}"/>: its correction round trip is metered
    /// and traced like any call.
    /// </summary>
    public Task<T> StructuredAsync<T>(PromptTemplate prompt, IReadOnlyDictionary<string, object?> inputs, ChatOptions? overrides = null, IChatClient? client = null) =>
        GuardAsync(() => new MeteredChatClient(this, prompt.Name, client ?? _client).GetStructuredAsync<T>(prompt, inputs, overrides, Token));

    /// <summary>
    /// Up to <paramref name="count"/> completions of one prompt: one multi-sequence batch per
    /// <see cref="IMultiSequenceChatClient.MaxSequences"/> when the client offers it (and <paramref name="batch"/>),
    /// else parallel requests, at most <paramref name="maxConcurrency"/> at a time, completion i with seed + i. Fewer
    /// come back when the call budget allows fewer; none left raises <see cref="BudgetExhaustedException"/>.
    /// </summary>
    public async Task<IReadOnlyList<ChatResponse>> SampleAsync(
        PromptTemplate prompt, IReadOnlyDictionary<string, object?> inputs, int count, ChatOptions? overrides, bool batch, int maxConcurrency)
    {
        var messages = prompt.Render(inputs);
        var options = prompt.CreateChatOptions(overrides);
        var conversations = Enumerable.Repeat(messages, count).ToList();
        return await CompleteManyAsync(prompt.Name, conversations, options, batch, maxConcurrency, sameConversation: true).ConfigureAwait(false);
    }

    /// <summary>
    /// One completion for each conversation (siblings of a search tree, rendered so they share their longest prefix).
    /// Batched as in <see cref="SampleAsync"/>. Returns fewer than asked when the call budget allows fewer.
    /// </summary>
    public Task<IReadOnlyList<ChatResponse>> CompleteManyAsync(
        string name, IReadOnlyList<IList<ChatMessage>> conversations, ChatOptions options, bool batch, int maxConcurrency) =>
        CompleteManyAsync(name, conversations, options, batch, maxConcurrency, sameConversation: false);

    private Task<IReadOnlyList<ChatResponse>> CompleteManyAsync(
        string name, IReadOnlyList<IList<ChatMessage>> conversations, ChatOptions options, bool batch, int maxConcurrency, bool sameConversation) =>
        GuardAsync<IReadOnlyList<ChatResponse>>(async () =>
        {
            var granted = _meter.Reserve(conversations.Count);
            var wanted = conversations.Take(granted).ToList();

            // Branches are numbered across the run, so the paths of successive waves stay apart in the trace.
            var firstBranch = Interlocked.Add(ref _branches, wanted.Count) - wanted.Count;
            if (batch && MultiSequence is { } multi)
            {
                return await BatchAsync(multi, name, wanted, options, sameConversation, granted, firstBranch).ConfigureAwait(false);
            }

            return await ParallelAsync(name, wanted, options, maxConcurrency, granted, firstBranch).ConfigureAwait(false);
        });

    private async Task<IReadOnlyList<ChatResponse>> BatchAsync(
        IMultiSequenceChatClient multi, string name, List<IList<ChatMessage>> conversations, ChatOptions options, bool sameConversation, int reserved, int firstBranch)
    {
        var results = new List<ChatResponse>(conversations.Count);
        var width = Math.Max(1, multi.MaxSequences);
        try
        {
            for (var start = 0; start < conversations.Count; start += width)
            {
                var chunk = conversations.GetRange(start, Math.Min(width, conversations.Count - start));
                var chunkOptions = options.Clone();
                if (options.Seed is { } seed)
                {
                    chunkOptions.Seed = seed + start;
                }

                var call = StartCalls(name, chunk.Count);
                using var step = PlanningTelemetry.StartStep(_strategy, TraceStepKind.ModelCall, name, branch: firstBranch + start);
                step?.SetTag("agentkit.planner.batch_size", chunk.Count);
                var responses = sameConversation
                    ? await multi.GetResponsesAsync(chunk[0], chunk.Count, chunkOptions, Token).ConfigureAwait(false)
                    : await multi.GetResponsesAsync(chunk.Select(c => (IEnumerable<ChatMessage>)c).ToList(), chunkOptions, Token).ConfigureAwait(false);
                _meter.Settle(chunk.Count, responses);
                PlanningTelemetry.SetUsage(step, responses);
                reserved -= chunk.Count;
                Interlocked.Increment(ref _batchedRequests);
                for (var i = 0; i < responses.Count; i++)
                {
                    Completed(Trace.Add(TraceStepKind.ModelCall, name, PlanningTrace.Format(chunk[i]), responses[i].Text, usage: responses[i].Usage), call + i);
                }

                results.AddRange(responses);
            }
        }
        finally
        {
            if (reserved > 0)
            {
                _meter.Release(reserved);
            }
        }

        return results;
    }

    private async Task<IReadOnlyList<ChatResponse>> ParallelAsync(
        string name, List<IList<ChatMessage>> conversations, ChatOptions options, int maxConcurrency, int reserved, int firstBranch)
    {
        var results = new ChatResponse?[conversations.Count];
        var calls = new int[conversations.Count];
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, conversations.Count),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxConcurrency), CancellationToken = Token },
                async (i, token) =>
                {
                    var pathOptions = options.Clone();
                    if (options.Seed is { } seed)
                    {
                        pathOptions.Seed = seed + i;
                    }

                    calls[i] = StartCalls(name, 1);
                    using var step = PlanningTelemetry.StartStep(_strategy, TraceStepKind.ModelCall, name, branch: firstBranch + i);
                    var response = await _client.GetResponseAsync(conversations[i], pathOptions, token).ConfigureAwait(false);
                    _meter.Settle(1, [response]);
                    PlanningTelemetry.SetUsage(step, [response]);
                    Interlocked.Decrement(ref reserved);
                    results[i] = response;
                }).ConfigureAwait(false);
        }
        finally
        {
            _meter.Release(Volatile.Read(ref reserved));
        }

        for (var i = 0; i < results.Length; i++)
        {
            Completed(Trace.Add(TraceStepKind.ModelCall, name, PlanningTrace.Format(conversations[i]), results[i]!.Text, usage: results[i]!.Usage), calls[i]);
        }

        return results!;
    }

    /// <summary>Turns the time limit firing into <see cref="BudgetExhaustedException"/>; the caller's own cancellation stays an <see cref="OperationCanceledException"/>.</summary>
    public async Task<T> GuardAsync<T>(Func<Task<T>> action)
    {
        _meter.CheckTime();
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (_meter.IsTimeout(e))
        {
            throw new BudgetExhaustedException(_meter.TimeExceeded());
        }
    }

    /// <summary>Fills the fields every result shares and reports the run's outcome to telemetry.</summary>
    public TResult Complete<TResult>(TResult result)
        where TResult : PlanningResult
    {
        var completed = result with
        {
            Trace = Trace,
            Usage = _meter.Usage,
            ModelCalls = _meter.Calls,
            Requests = _meter.Requests,
            Elapsed = _meter.Elapsed,
        };
        var strategy = new KeyValuePair<string, object?>(TelemetryAttributes.PlannerStrategy, completed.Planner);
        if (_activity is not null)
        {
            _activity.SetTag(TelemetryAttributes.PlannerOutcome, completed.Outcome.ToString());
            _activity.SetTag(TelemetryAttributes.PlannerModelCalls, completed.ModelCalls);
            _activity.SetTag(TelemetryAttributes.InputTokens, completed.Usage.InputTokenCount);
            _activity.SetTag(TelemetryAttributes.OutputTokens, completed.Usage.OutputTokenCount);
        }

        if (PlanningTelemetry.RunDuration.Enabled)
        {
            PlanningTelemetry.RunDuration.Record(completed.Elapsed.TotalSeconds, strategy, new KeyValuePair<string, object?>(TelemetryAttributes.PlannerOutcome, completed.Outcome.ToString()));
        }

        if (PlanningTelemetry.ModelCalls.Enabled)
        {
            PlanningTelemetry.ModelCalls.Record(completed.ModelCalls, strategy);
        }

        return completed;
    }

    public void Dispose()
    {
        _meter.Dispose();
        _activity?.Dispose();
    }

    /// <summary>
    /// Model calls have their own timed span and update; every other step is reported as an instant with its score,
    /// and to a streaming reader as it is traced.
    /// </summary>
    private void OnStepAdded(TraceStep step)
    {
        if (step.Kind == TraceStepKind.ModelCall)
        {
            return;
        }

        Completed(step, call: null);
        using var activity = PlanningTelemetry.StartStep(_strategy, step.Kind, step.Name, branch: null);
        activity?.SetTag(TelemetryAttributes.PlannerScore, step.Score);
    }

    /// <summary>Meters and traces the calls a structured request makes (the first answer and a correction).</summary>
    private sealed class MeteredChatClient(PlanningRun run, string name, IChatClient client) : DelegatingChatClient(client)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            run.CompleteAsync(name, messages as IList<ChatMessage> ?? [.. messages], options ?? new ChatOptions(), InnerClient);

        public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("Planners request whole responses here; a streamed run streams inside PlanningRun.CompleteAsync, where it is metered.");
    }
}
