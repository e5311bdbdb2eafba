using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentKit.Abstractions.Diagnostics;

namespace AgentKit.Memory.Diagnostics;

/// <summary>The <c>AgentKit.Memory</c> source and meter: <c>memory.read</c>, <c>memory.write</c> and <c>memory.reflect</c> spans.</summary>
internal static class MemoryTelemetry
{
    public const string ReadActivityName = "memory.read";
    public const string WriteActivityName = "memory.write";
    public const string ReflectActivityName = "memory.reflect";

    public static ActivitySource Source { get; } = new(AgentKitTelemetry.MemorySourceName, AgentKitTelemetry.Version);

    public static Meter Meter { get; } = new(AgentKitTelemetry.MemorySourceName, AgentKitTelemetry.Version);

    /// <summary><c>agentkit.memory.operation.duration</c> (s), by operation (<c>memory.read</c>, <c>memory.write</c>, <c>memory.reflect</c>).</summary>
    public static Histogram<double> Duration { get; } = Meter.CreateHistogram<double>("agentkit.memory.operation.duration", "s", "Duration of memory reads, writes and reflections.");

    /// <summary><c>agentkit.memory.changes</c>: memories added, updated, deleted, left alone or evicted, by <c>agentkit.memory.operation</c>.</summary>
    public static Counter<long> Changes { get; } = Meter.CreateCounter<long>("agentkit.memory.changes", "{memory}", "Changes memory writes made.");

    public static Activity? Start(string name, string agentId)
    {
        var activity = Source.StartActivity(name, ActivityKind.Internal);
        activity?.SetTag(TelemetryAttributes.MemoryAgentId, agentId);
        return activity;
    }

    public static void RecordDuration(string operation, long started)
    {
        if (Duration.Enabled)
        {
            Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>(TelemetryAttributes.OperationName, operation));
        }
    }
}
