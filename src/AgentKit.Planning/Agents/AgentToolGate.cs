using System.Globalization;
using AgentKit.Agents;
using AgentKit.Agents.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentKit.Planning;

/// <summary>
/// The agent's tools as a planner may call them: only the agent's allowlist, each call bounded by the tool's
/// timeout, and every tool that needs approval (a <see cref="ToolPolicy.RequiresApproval"/> policy or an
/// <see cref="ApprovalRequiredAIFunction"/>) asked through the run (<see cref="AgentTurnContext.RequestApprovalAsync"/>:
/// the application's <see cref="IToolApprovalHandler"/>, the request and decision announced on the run's events)
/// first, exactly as the agent's own loop does; with no handler registered such calls are denied.
/// </summary>
internal static class AgentToolGate
{
    public static async ValueTask<IReadOnlyList<AIFunction>> ResolveAsync(AgentTurnContext context, CancellationToken cancellationToken)
    {
        var services = context.Services;
        var options = context.Agent.ToolOptions ?? services.GetService<IOptions<ToolPipelineOptions>>()?.Value ?? new ToolPipelineOptions();
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var tools = await services.GetRequiredService<ToolCatalog>().ResolveAsync(context.Agent.Tools, cancellationToken).ConfigureAwait(false);
        return [.. tools.Select(t => (AIFunction)new GatedFunction(t, context, options, time))];
    }

    private sealed class GatedFunction(AIFunction inner, AgentTurnContext context, ToolPipelineOptions options, TimeProvider time)
        : DelegatingAIFunction(inner)
    {
        private ToolPolicy? Policy => options.Policies.TryGetValue(Name, out var policy) ? policy : null;

        private bool RequiresApproval => Policy?.RequiresApproval == true || InnerFunction.GetService<ApprovalRequiredAIFunction>() is not null;

        protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            if (RequiresApproval)
            {
                var request = new ToolApprovalRequest(
                    Guid.NewGuid().ToString("N"), context.SessionId, context.Agent.Name, Name, "plan-" + context.RunId,
                    new Dictionary<string, object?>(arguments), time.GetUtcNow());
                var decision = await context.RequestApprovalAsync(request, cancellationToken).ConfigureAwait(false);
                if (!decision.Approved)
                {
                    throw new ToolCallDeniedException(Name, decision.Reason);
                }
            }

            var timeout = Policy?.Timeout ?? options.DefaultTimeout;
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(timeout);
            try
            {
                return await base.InvokeCoreAsync(arguments, timeoutSource.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"the tool '{Name}' did not finish within {timeout.TotalSeconds:0.###} seconds and was cancelled."));
            }
        }
    }
}

/// <summary>A planner's call to a tool that needs approval was denied (by a person, the approval timeout, or because no approval handler is configured).</summary>
public sealed class ToolCallDeniedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ToolCallDeniedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was denied and why.</param>
    public ToolCallDeniedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was denied and why.</param>
    /// <param name="innerException">The cause.</param>
    public ToolCallDeniedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal ToolCallDeniedException(string toolName, string? reason)
        : base($"the call to '{toolName}' needs approval and was denied: {reason ?? "no reason given"}. It did not run.")
    {
        ToolName = toolName;
    }

    /// <summary>The tool whose call was denied.</summary>
    public string? ToolName { get; }
}
