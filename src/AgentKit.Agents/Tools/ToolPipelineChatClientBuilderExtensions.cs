using AgentKit.Abstractions.Evidence;
using AgentKit.Abstractions.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Agents.Tools;

/// <summary>Adds AgentKit's tool pipeline to a <see cref="ChatClientBuilder"/> for tool calling outside agents.</summary>
public static class ToolPipelineChatClientBuilderExtensions
{
    /// <summary>
    /// Adds function invocation (Microsoft.Extensions.AI's <see cref="FunctionInvokingChatClient"/>) whose invoker
    /// runs every call through AgentKit's <see cref="ToolGovernor"/>: the allowlist, the arguments against each tool's
    /// JSON schema and parameter ranges, timeouts and the result cap, failures turned into model-readable errors, and
    /// tool results that disagree surfaced (<see cref="EvidenceConflictChatClient"/>). Tools wrapped in
    /// <see cref="ApprovalRequiredAIFunction"/> come back as approval requests for the caller to resolve.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="allowedTools">Names of the tools that may be offered and called; <see langword="null"/> allows every tool in the request's options.</param>
    /// <param name="configure">Adjusts the pipeline options.</param>
    /// <param name="maximumIterationsPerRequest">The most model calls per request. Defaults to 10.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseAgentKitTools(
        this ChatClientBuilder builder, IEnumerable<string>? allowedTools = null, Action<ToolPipelineOptions>? configure = null, int maximumIterationsPerRequest = 10)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximumIterationsPerRequest, 1);
        var options = new ToolPipelineOptions();
        configure?.Invoke(options);
        var allowlist = allowedTools?.ToHashSet(StringComparer.Ordinal);
        return builder.Use((inner, services) =>
        {
            var loggerFactory = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
            var governor = new ToolGovernor(options, loggerFactory: loggerFactory) { Allowlist = allowlist };
            var model = options.EvidenceConflicts is { } conflicts ? new EvidenceConflictChatClient(inner, conflicts) : inner;
            IChatClient invoking = ToolPipeline.CreateInvokingClient(model, governor, loggerFactory, null, services, maximumIterationsPerRequest);
            return allowlist is null ? invoking : new ToolAllowlistChatClient(invoking, allowlist);
        });
    }
}
