using System.Diagnostics;
using System.Runtime.CompilerServices;
using AgentKit.Agents.Diagnostics;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Runs;

/// <summary>
/// Sits under function invocation, right above the model: every call through it is one model step. It enforces
/// the step and token limits before the call, and reports the requested tool calls, duration and usage after.
/// </summary>
internal sealed class StepObservingChatClient(IChatClient inner, AgentRun run) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        run.BeforeModelCall();
        using var activity = StartActivity();
        var started = Stopwatch.GetTimestamp();
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var call in response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>())
        {
            run.OnToolCallRequested(call);
        }

        Complete(activity, started, response.Usage, response.ModelId);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        run.BeforeModelCall();
        using var activity = StartActivity();
        var started = Stopwatch.GetTimestamp();
        UsageDetails? usage = null;
        string? modelId = null;
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            modelId ??= update.ModelId;
            foreach (var content in update.Contents)
            {
                if (content is FunctionCallContent call)
                {
                    run.OnToolCallRequested(call);
                }
                else if (content is UsageContent u)
                {
                    (usage ??= new UsageDetails()).Add(u.Details);
                }
            }

            yield return update;
        }

        Complete(activity, started, usage, modelId);
    }

    private static Activity? StartActivity() => AgentTelemetry.Source.StartActivity(AgentTelemetry.ModelCallActivityName, ActivityKind.Client);

    private void Complete(Activity? activity, long started, UsageDetails? usage, string? modelId)
    {
        if (activity is not null)
        {
            activity.SetTag("gen_ai.usage.input_tokens", usage?.InputTokenCount);
            activity.SetTag("gen_ai.usage.output_tokens", usage?.OutputTokenCount);
            activity.SetTag("gen_ai.response.model", modelId);
        }

        run.OnModelCallCompleted(Stopwatch.GetElapsedTime(started), usage, modelId);
    }
}
