using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentKit.Abstractions.Diagnostics;

namespace AgentKit.Embeddings.Diagnostics;

/// <summary>The <c>AgentKit.Embeddings</c> source and meter: an <c>embeddings {model}</c> span per request and its figures.</summary>
internal static class EmbeddingTelemetry
{
    public const string OperationName = "embeddings";

    public static ActivitySource Source { get; } = new(AgentKitTelemetry.EmbeddingsSourceName, AgentKitTelemetry.Version);

    public static Meter Meter { get; } = new(AgentKitTelemetry.EmbeddingsSourceName, AgentKitTelemetry.Version);

    /// <summary><c>gen_ai.client.operation.duration</c> (s) of embedding requests, by model.</summary>
    public static Histogram<double> Duration { get; } = Meter.CreateHistogram<double>("gen_ai.client.operation.duration", "s", "Duration of embedding requests.");

    /// <summary><c>gen_ai.client.token.usage</c>: input tokens per embedding request, by model.</summary>
    public static Histogram<int> Tokens { get; } = Meter.CreateHistogram<int>("gen_ai.client.token.usage", "{token}", "Input tokens per embedding request.");

    /// <summary><c>agentkit.embeddings.inputs</c>: texts embedded, by model.</summary>
    public static Counter<long> Inputs { get; } = Meter.CreateCounter<long>("agentkit.embeddings.inputs", "{input}", "Texts embedded.");

    /// <summary><c>agentkit.embeddings.truncated</c>: inputs cut to the model's input limit, by model.</summary>
    public static Counter<long> Truncated { get; } = Meter.CreateCounter<long>("agentkit.embeddings.truncated", "{input}", "Inputs truncated to the model's input limit.");
}
