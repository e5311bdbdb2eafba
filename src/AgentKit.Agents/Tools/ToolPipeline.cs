using AgentKit.Abstractions.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AgentKit.Agents.Tools;

/// <summary>Builds the Microsoft.Extensions.AI function-invocation layer over AgentKit's <see cref="ToolGovernor"/>.</summary>
internal static class ToolPipeline
{
    public static FunctionInvokingChatClient CreateInvokingClient(
        IChatClient inner, ToolGovernor governor, ILoggerFactory loggerFactory, IToolCallObserver? observer, IServiceProvider? services, int maximumIterations, IToolCallJournal? journal = null)
    {
        var invoker = new ToolInvoker(governor, loggerFactory.CreateLogger<ToolInvoker>(), observer, journal);
        return new FunctionInvokingChatClient(inner, loggerFactory, services)
        {
            FunctionInvoker = invoker.InvokeAsync,

            // The governor turns every failure into a model-readable text itself; nothing else may leak exception details.
            IncludeDetailedErrors = false,
            MaximumIterationsPerRequest = maximumIterations,
        };
    }

    /// <summary>Keeps only allowed tools in <paramref name="options"/>; returns the same instance when nothing is removed.</summary>
    public static ChatOptions? FilterTools(ChatOptions? options, IReadOnlySet<string> allowlist)
    {
        if (options?.Tools is not { Count: > 0 } tools || tools.All(t => allowlist.Contains(t.Name)))
        {
            return options;
        }

        var filtered = options.Clone();
        filtered.Tools = [.. tools.Where(t => allowlist.Contains(t.Name))];
        return filtered;
    }
}
