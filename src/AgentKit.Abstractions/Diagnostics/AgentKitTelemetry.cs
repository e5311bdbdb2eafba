namespace AgentKit.Abstractions.Diagnostics;

/// <summary>
/// Every <see cref="System.Diagnostics.ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/> AgentKit
/// reports to, in one place, so an application subscribes in one line:
/// <c>tracing.AddSource([.. AgentKitTelemetry.SourceNames])</c>, <c>metrics.AddMeter([.. AgentKitTelemetry.MeterNames])</c>.
/// Attribute names follow the OpenTelemetry GenAI semantic conventions (<c>gen_ai.*</c>) where one exists and use the
/// <c>agentkit.*</c> prefix otherwise; <c>docs/observability.md</c> lists them all.
/// </summary>
public static class AgentKitTelemetry
{
    /// <summary>
    /// Model calls through the hosted chat clients (Microsoft.Extensions.AI's <c>UseOpenTelemetry</c>): spans
    /// <c>chat {model}</c>, metrics <c>gen_ai.client.token.usage</c>, <c>gen_ai.client.operation.duration</c>,
    /// <c>gen_ai.client.operation.time_to_first_chunk</c>. Both a source and a meter.
    /// </summary>
    public const string ModelsSourceName = "AgentKit.Models";

    /// <summary>Agent runs, their model calls and tool calls (<c>AgentKit.Agents</c>). Both a source and a meter.</summary>
    public const string AgentsSourceName = "AgentKit.Agents";

    /// <summary>Retrieval (<c>AgentKit.Rag</c>). Both a source and a meter.</summary>
    public const string RagSourceName = "AgentKit.Rag";

    /// <summary>Planner runs and steps (<c>AgentKit.Planning</c>). Both a source and a meter.</summary>
    public const string PlanningSourceName = "AgentKit.Planning";

    /// <summary>Memory reads, writes and reflections (<c>AgentKit.Memory</c>). Both a source and a meter.</summary>
    public const string MemorySourceName = "AgentKit.Memory";

    /// <summary>The local llama.cpp engine: tokens per second, context pool use and queue (<c>AgentKit.LlamaCpp</c>). A meter.</summary>
    public const string LlamaCppMeterName = "AgentKit.LlamaCpp";

    /// <summary>
    /// The in-process embedding models (<c>AgentKit.Embeddings</c>): an <c>embeddings {model}</c> span per request, inputs,
    /// tokens, truncated inputs and duration. Both a source and a meter.
    /// </summary>
    public const string EmbeddingsSourceName = "AgentKit.Embeddings";

    /// <summary>The HTTP API: requests running and rejected (<c>AgentKit.Server</c>). A meter.</summary>
    public const string ServerMeterName = "AgentKit.Server";

    /// <summary>The completion cache, cascades and routing (<c>AgentKit.Cost</c>): hits, misses, guard rejections, cascade steps. A meter.</summary>
    public const string CostMeterName = "AgentKit.Cost";

    /// <summary>Every activity source name.</summary>
    public static IReadOnlyList<string> SourceNames { get; } = [ModelsSourceName, AgentsSourceName, RagSourceName, PlanningSourceName, MemorySourceName, EmbeddingsSourceName];

    /// <summary>Every meter name.</summary>
    public static IReadOnlyList<string> MeterNames { get; } =
        [ModelsSourceName, AgentsSourceName, RagSourceName, PlanningSourceName, MemorySourceName, EmbeddingsSourceName, LlamaCppMeterName, ServerMeterName, CostMeterName];

    /// <summary>
    /// Marks <paramref name="activity"/> failed with <paramref name="exception"/>'s type (<c>error.type</c>) and message,
    /// and returns <see langword="false"/>, for use in an exception filter (<c>catch (Exception e) when (AgentKitTelemetry.Fail(activity, e))</c>)
    /// that lets the exception pass on untouched.
    /// </summary>
    /// <param name="activity">The span, or <see langword="null"/> when nobody listens.</param>
    /// <param name="exception">The exception.</param>
    /// <returns>Always <see langword="false"/>.</returns>
    public static bool Fail(System.Diagnostics.Activity? activity, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (activity is not null)
        {
            activity.SetTag(TelemetryAttributes.ErrorType, exception.GetType().FullName);
            activity.SetStatus(System.Diagnostics.ActivityStatusCode.Error, exception.Message);
        }

        return false;
    }

    /// <summary>The version AgentKit's sources and meters report (the assembly version).</summary>
    public static string? Version { get; } = typeof(AgentKitTelemetry).Assembly.GetName().Version?.ToString();
}
