using System.Diagnostics;

namespace AgentKit.Agents.Diagnostics;

/// <summary>The <see cref="ActivitySource"/> agent runs report to: a span per run, per model call and per tool call.</summary>
public static class AgentTelemetry
{
    /// <summary>The source name, <c>AgentKit.Agents</c>; add it to an OpenTelemetry tracer to export the spans.</summary>
    public const string SourceName = "AgentKit.Agents";

    /// <summary>Span name of a whole run (<c>agent.run</c>).</summary>
    public const string RunActivityName = "agent.run";

    /// <summary>Span name of one model call (<c>agent.model_call</c>).</summary>
    public const string ModelCallActivityName = "agent.model_call";

    /// <summary>Span name of one tool call (<c>agent.tool_call</c>).</summary>
    public const string ToolCallActivityName = "agent.tool_call";

    internal static ActivitySource Source { get; } = new(SourceName, typeof(AgentTelemetry).Assembly.GetName().Version?.ToString());
}
