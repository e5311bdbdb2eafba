using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using AgentKit.Abstractions.Diagnostics;

namespace AgentKit.Abstractions.Tools;

/// <summary>
/// Where the tool pipeline reports: the agents' source and meter (<see cref="AgentKitTelemetry.AgentsSourceName"/>),
/// shared with the agent runtime, so a tool call's span is a child of the run's whichever component made the call.
/// </summary>
internal static class ToolTelemetry
{
    /// <summary>Operation name of one governed tool invocation; the public name is <c>AgentTelemetry.ToolCallActivityName</c>.</summary>
    public const string ToolCallActivityName = "agent.tool_call";

    /// <summary>Histogram of tool call durations in seconds; the public name is <c>AgentTelemetry.ToolDurationMetric</c>.</summary>
    public const string ToolDurationMetric = "agentkit.tool.duration";

    /// <summary>Compact JSON for attribute values (Microsoft.Extensions.AI's defaults indent).</summary>
    public static JsonSerializerOptions Json { get; } = new(Microsoft.Extensions.AI.AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    public static ActivitySource Source { get; } = new(AgentKitTelemetry.AgentsSourceName, AgentKitTelemetry.Version);

    public static Meter Meter { get; } = new(AgentKitTelemetry.AgentsSourceName, AgentKitTelemetry.Version);

    public static Histogram<double> ToolDuration { get; } = Meter.CreateHistogram<double>(ToolDurationMetric, "s", "Duration of tool calls.");
}
