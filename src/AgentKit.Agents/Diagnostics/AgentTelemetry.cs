using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Abstractions.Tools;

namespace AgentKit.Agents.Diagnostics;

/// <summary>
/// The <see cref="ActivitySource"/> and <see cref="Meter"/> agent runs report to: a span per run
/// (<c>invoke_agent {agent}</c>), per model call (<c>chat {model}</c>) and per tool call (Microsoft.Extensions.AI's
/// <c>execute_tool {tool}</c> on this source, with AgentKit's guarded invocation, <c>agent.tool_call {tool}</c>, under
/// it), with the GenAI semantic conventions' attributes; metrics for run and tool durations and run tokens.
/// <see cref="AgentKitTelemetry.SourceNames"/> lists this source with all others.
/// </summary>
public static class AgentTelemetry
{
    /// <summary>The source and meter name, <c>AgentKit.Agents</c>; add it to an OpenTelemetry tracer to export the spans.</summary>
    public const string SourceName = AgentKitTelemetry.AgentsSourceName;

    /// <summary>Operation name of a whole run (<c>agent.run</c>); the span's display name is <c>invoke_agent {agent}</c>.</summary>
    public const string RunActivityName = "agent.run";

    /// <summary>Operation name of one model call (<c>agent.model_call</c>); the span's display name is <c>chat {model}</c>.</summary>
    public const string ModelCallActivityName = "agent.model_call";

    /// <summary>
    /// Operation name of one guarded tool invocation (<c>agent.tool_call</c>: allowlist, argument validation, timeout,
    /// result cap; display name <c>agent.tool_call {tool}</c>), a child of the conventional <c>execute_tool {tool}</c> span.
    /// Both carry <c>agentkit.tool.status</c>.
    /// </summary>
    public const string ToolCallActivityName = ToolTelemetry.ToolCallActivityName;

    /// <summary>Histogram of run durations in seconds (<c>agentkit.agent.run.duration</c>), by agent and outcome.</summary>
    public const string RunDurationMetric = "agentkit.agent.run.duration";

    /// <summary>Histogram of tokens per run (<c>agentkit.agent.run.tokens</c>), by agent and <c>gen_ai.token.type</c>.</summary>
    public const string RunTokensMetric = "agentkit.agent.run.tokens";

    /// <summary>Histogram of tool call durations in seconds (<c>agentkit.tool.duration</c>), by tool and status.</summary>
    public const string ToolDurationMetric = ToolTelemetry.ToolDurationMetric;

    // One source and one meter for the runtime and the tool pipeline (in AgentKit.Abstractions), so tool spans nest under runs.
    internal static ActivitySource Source => ToolTelemetry.Source;

    internal static Meter Meter => ToolTelemetry.Meter;

    internal static Histogram<double> RunDuration { get; } = Meter.CreateHistogram<double>(RunDurationMetric, "s", "Duration of agent runs.");

    internal static Histogram<long> RunTokens { get; } = Meter.CreateHistogram<long>(RunTokensMetric, "{token}", "Tokens an agent run used.");

    /// <summary>One text message in the GenAI conventions' message JSON: <c>[{"role":…,"parts":[{"type":"text","content":…}]}]</c>.</summary>
    internal static string MessagesJson(string role, string text)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writer.WriteStartObject();
            writer.WriteString("role", role);
            writer.WriteStartArray("parts");
            writer.WriteStartObject();
            writer.WriteString("type", "text");
            writer.WriteString("content", text);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}

/// <summary>Telemetry settings of agent runs (<c>IOptions&lt;AgentTelemetryOptions&gt;</c>; <c>AgentKit:Telemetry</c> in a host).</summary>
public sealed class AgentTelemetryOptions
{
    /// <summary>
    /// Record message text on spans: the run's input and answer (<c>gen_ai.input.messages</c>,
    /// <c>gen_ai.output.messages</c>) and tool arguments and results. Off by default: they may hold personal data.
    /// </summary>
    public bool EnableSensitiveData { get; set; }
}
