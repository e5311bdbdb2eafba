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

    /// <summary><c>agentkit.rag.ingestion.files</c>: files an ingestion run handled, by knowledge base and status.</summary>
    public static Counter<int> IngestionFiles { get; } = Meter.CreateCounter<int>("agentkit.rag.ingestion.files", "{file}", "Files handled by knowledge base ingestion runs.");

    /// <summary><c>agentkit.rag.ingestion.chunks</c>: chunks written, by knowledge base.</summary>
    public static Counter<int> IngestionChunks { get; } = Meter.CreateCounter<int>("agentkit.rag.ingestion.chunks", "{chunk}", "Chunks written by knowledge base ingestion runs.");

    /// <summary><c>agentkit.rag.ingestion.duration</c> (s): ingestion runs, by knowledge base and outcome (ok, error, cancelled).</summary>
    public static Histogram<double> IngestionDuration { get; } = Meter.CreateHistogram<double>("agentkit.rag.ingestion.duration", "s", "Duration of knowledge base ingestion runs.");

    public static void RecordIngestion(string knowledgeBase, Ingestion.IngestionReport report, string outcome)
    {
        var name = new KeyValuePair<string, object?>(TelemetryAttributes.DataSourceId, knowledgeBase);
        IngestionDuration.Record(report.Elapsed.TotalSeconds, name, new KeyValuePair<string, object?>("agentkit.rag.ingestion.outcome", outcome));
        IngestionChunks.Add(report.ChunksWritten, name);
        foreach (var group in report.Files.GroupBy(f => f.Status))
        {
            IngestionFiles.Add(group.Count(), name, new KeyValuePair<string, object?>("agentkit.rag.ingestion.status", group.Key.ToString()));
        }
    }
}
