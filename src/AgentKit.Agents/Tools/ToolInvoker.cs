using System.Diagnostics;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AgentKit.Agents.Tools;

/// <summary>
/// The <see cref="FunctionInvokingChatClient.FunctionInvoker"/> of the model loop: runs each call through the
/// <see cref="ToolGovernor"/> and adds what only the loop has, the per-turn budget of invalid-argument retries.
/// </summary>
internal sealed class ToolInvoker(ToolGovernor governor, ILogger logger, IToolCallObserver? observer = null, IToolCallJournal? journal = null)
{
    public async ValueTask<object?> InvokeAsync(FunctionInvocationContext context, CancellationToken cancellationToken)
    {
        var function = context.Function;
        var callId = context.CallContent.CallId;

        // Microsoft.Extensions.AI's function invocation opens the conventional `execute_tool {name}` span around this
        // call; it cannot see the outcome (every failure comes back as an "Error: …" text), so it gets ours too.
        var conventional = Activity.Current is { } current && Equals(current.GetTagItem(TelemetryAttributes.ToolCallId), callId) ? current : null;

        // The loop's approval round trip (ApprovalRequiredAIFunction → the run's approval handler) has already
        // happened when a call reaches the invoker.
        var registered = governor.Registered(function);
        ToolCallOutcome outcome;
        if (journal is not null && await journal.BeforeInvokeAsync(registered, context, cancellationToken).ConfigureAwait(false) is { } recorded)
        {
            outcome = recorded;
        }
        else
        {
            outcome = await governor.InvokeAsync(registered, function.Name, context.Arguments, callId, approved: true, cancellationToken).ConfigureAwait(false);
            if (journal is not null)
            {
                await journal.AfterInvokeAsync(registered, context, outcome, cancellationToken).ConfigureAwait(false);
            }
        }

        ToolGovernor.SetOutcome(conventional, outcome.Status);
        if (outcome.Status == ToolCallStatus.InvalidArguments && CountInvalidResultsThisTurn(context.Messages) >= governor.Options.MaxInvalidArgumentRetries)
        {
            AgentsLog.ArgumentRetryBudgetExhausted(logger, function.Name, governor.Options.MaxInvalidArgumentRetries);
            context.Terminate = true;
            observer?.OnArgumentRetryBudgetExhausted(function.Name);
        }

        return outcome.Text;
    }

    private static int CountInvalidResultsThisTurn(IList<ChatMessage> messages)
    {
        var count = 0;
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            var message = messages[i];
            if (message.Role == ChatRole.User && !message.Contents.All(c => c is ToolApprovalResponseContent))
            {
                break;
            }

            foreach (var content in message.Contents)
            {
                if (content is FunctionResultContent { Result: string text } && text.StartsWith(ToolGovernor.InvalidArgumentsPrefix, StringComparison.Ordinal))
                {
                    count++;
                }
            }
        }

        return count;
    }
}

/// <summary>Checkpoints the model loop's tool calls (a durable agent run implements it).</summary>
internal interface IToolCallJournal
{
    /// <summary>
    /// Called before a call runs. Returns the outcome to use instead of running it (a recorded result, or a refusal to
    /// repeat an interrupted call); otherwise records the call's start and returns <see langword="null"/>.
    /// </summary>
    ValueTask<ToolCallOutcome?> BeforeInvokeAsync(AIFunction tool, FunctionInvocationContext context, CancellationToken cancellationToken);

    /// <summary>Records the result of a call that ran.</summary>
    ValueTask AfterInvokeAsync(AIFunction tool, FunctionInvocationContext context, ToolCallOutcome outcome, CancellationToken cancellationToken);
}
