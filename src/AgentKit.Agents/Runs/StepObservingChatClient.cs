using System.Diagnostics;
using System.Runtime.CompilerServices;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Agents.Diagnostics;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Runs;

/// <summary>
/// Sits under function invocation, right above the model: every call through it is one model step. It enforces
/// the step and token limits before the call, and reports the requested tool calls, duration and usage after, to
/// the run and as a <c>chat {model}</c> span (tokens, finish reason, time to first chunk when streaming).
/// </summary>
internal sealed class StepObservingChatClient(IChatClient inner, AgentRun run) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        run.BeforeModelCall();
        if (run.TryReplayResponse(out var replayed))
        {
            ReportCalls(RunEventProjection.Calls(replayed));
            run.OnModelCallCompleted(TimeSpan.Zero, replayed.Usage, replayed.ModelId);
            return replayed;
        }

        using var activity = StartActivity(options, streaming: false);
        var started = Stopwatch.GetTimestamp();
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);

        // Durable before function invocation sees the response, so no tool runs for a step that was not recorded.
        await run.CheckpointResponseAsync(response, cancellationToken).ConfigureAwait(false);
        ReportCalls(RunEventProjection.Calls(response));
        Complete(activity, started, response.Usage, response.ModelId, response.FinishReason, firstChunk: null);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        run.BeforeModelCall();
        if (run.TryReplayResponse(out var replayed))
        {
            foreach (var update in replayed.ToChatResponseUpdates())
            {
                yield return update;
            }

            ReportCalls(RunEventProjection.Calls(replayed));
            run.OnModelCallCompleted(TimeSpan.Zero, replayed.Usage, replayed.ModelId);
            yield break;
        }

        using var activity = StartActivity(options, streaming: true);
        var started = Stopwatch.GetTimestamp();
        List<ChatResponseUpdate>? recorded = run.IsCheckpointed ? [] : null;
        List<FunctionCallContent> calls = [];
        UsageDetails? usage = null;
        string? modelId = null;
        ChatFinishReason? finishReason = null;
        TimeSpan? firstChunk = null;
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            firstChunk ??= Stopwatch.GetElapsedTime(started);
            modelId ??= update.ModelId;
            finishReason ??= update.FinishReason;
            foreach (var content in update.Contents)
            {
                if (content is FunctionCallContent call)
                {
                    calls.Add(call);
                }
                else if (content is UsageContent u)
                {
                    (usage ??= new UsageDetails()).Add(u.Details);
                }
            }

            recorded?.Add(update);
            yield return update;
        }

        if (recorded is not null)
        {
            // Written before this enumeration ends, which is when function invocation starts the response's tool calls.
            await run.CheckpointResponseAsync(recorded.ToChatResponse(), cancellationToken).ConfigureAwait(false);
        }

        // Announced after the step's text and its checkpoint, in the order the step's checkpoint derives them.
        ReportCalls(calls);
        Complete(activity, started, usage, modelId, finishReason, firstChunk);
    }

    private void ReportCalls(IEnumerable<FunctionCallContent> calls)
    {
        foreach (var call in calls)
        {
            run.OnToolCallRequested(call);
        }
    }

    private Activity? StartActivity(ChatOptions? options, bool streaming)
    {
        var activity = AgentTelemetry.Source.StartActivity(AgentTelemetry.ModelCallActivityName, ActivityKind.Client);
        if (activity is null)
        {
            return null;
        }

        var model = options?.ModelId ?? InnerClient.GetService<ChatClientMetadata>()?.DefaultModelId;
        activity.DisplayName = model is null ? "chat" : $"chat {model}";
        activity.SetTag(TelemetryAttributes.OperationName, "chat");
        activity.SetTag(TelemetryAttributes.RequestModel, model);
        activity.SetTag("gen_ai.request.stream", streaming);
        return activity;
    }

    private void Complete(Activity? activity, long started, UsageDetails? usage, string? modelId, ChatFinishReason? finishReason, TimeSpan? firstChunk)
    {
        if (activity is not null)
        {
            activity.SetTag(TelemetryAttributes.InputTokens, usage?.InputTokenCount);
            activity.SetTag(TelemetryAttributes.OutputTokens, usage?.OutputTokenCount);
            activity.SetTag(TelemetryAttributes.ResponseModel, modelId);
            if (finishReason is { } reason)
            {
                activity.SetTag(TelemetryAttributes.FinishReasons, new[] { reason.Value });
            }

            if (firstChunk is { } ttfc)
            {
                activity.SetTag(TelemetryAttributes.TimeToFirstChunk, ttfc.TotalSeconds);
            }
        }

        run.OnModelCallCompleted(Stopwatch.GetElapsedTime(started), usage, modelId);
    }
}
