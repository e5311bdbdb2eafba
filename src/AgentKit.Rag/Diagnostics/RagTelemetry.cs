using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentKit.Abstractions.Diagnostics;

namespace AgentKit.Rag.Diagnostics;

/// <summary>The <c>AgentKit.Rag</c> source and meter: a <c>rag.retrieve</c> span per retrieval and its duration.</summary>
internal static class RagTelemetry
{
    public const string RetrieveActivityName = "rag.retrieve";

    public static ActivitySource Source { get; } = new(AgentKitTelemetry.RagSourceName, AgentKitTelemetry.Version);

    public static Meter Meter { get; } = new(AgentKitTelemetry.RagSourceName, AgentKitTelemetry.Version);

    /// <summary><c>agentkit.rag.retrieval.duration</c> (s), by collection and mode.</summary>
    public static Histogram<double> RetrievalDuration { get; } = Meter.CreateHistogram<double>("agentkit.rag.retrieval.duration", "s", "Duration of retrievals.");

    /// <summary><c>agentkit.rag.retrieval.hits</c>: chunks a retrieval returned, by collection and mode.</summary>
    public static Histogram<int> RetrievalHits { get; } = Meter.CreateHistogram<int>("agentkit.rag.retrieval.hits", "{chunk}", "Chunks returned per retrieval.");
}
