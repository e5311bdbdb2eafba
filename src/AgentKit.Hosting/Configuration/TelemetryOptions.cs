namespace AgentKit.Hosting.Configuration;

/// <summary>Where AgentKit's traces, metrics and logs go.</summary>
public enum TelemetryExporter
{
    /// <summary>Nowhere: AgentKit registers no OpenTelemetry provider (the application may add its own; see <c>AgentKitTelemetry.SourceNames</c>).</summary>
    None,

    /// <summary>Standard output, one block per span and per metric export (for development).</summary>
    Console,

    /// <summary>An OpenTelemetry collector over OTLP (Jaeger, Grafana Tempo, Aspire dashboard, …).</summary>
    Otlp,
}

/// <summary>The OTLP transport.</summary>
public enum OtlpProtocol
{
    /// <summary>OTLP/gRPC (default port 4317).</summary>
    Grpc,

    /// <summary>OTLP/HTTP with protobuf bodies (default port 4318; the signal paths <c>/v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c> are appended).</summary>
    HttpProtobuf,
}

/// <summary>
/// The <c>AgentKit:Telemetry</c> section: OpenTelemetry export of every AgentKit source and meter
/// (<c>AgentKitTelemetry.SourceNames</c>, <c>AgentKitTelemetry.MeterNames</c>). See <c>docs/observability.md</c>.
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>Where telemetry goes: <see cref="TelemetryExporter.None"/> (default), <see cref="TelemetryExporter.Console"/> or <see cref="TelemetryExporter.Otlp"/>.</summary>
    public TelemetryExporter Exporter { get; set; }

    /// <summary>The collector's base address for <see cref="TelemetryExporter.Otlp"/>, an absolute http(s) URI. Default: <c>http://localhost:4317</c> for gRPC, <c>http://localhost:4318</c> for HTTP.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>The OTLP transport. Default: <see cref="OtlpProtocol.Grpc"/>.</summary>
    public OtlpProtocol OtlpProtocol { get; set; }

    /// <summary>The <c>service.name</c> resource attribute. Default: the application's name.</summary>
    public string? ServiceName { get; set; }

    /// <summary>Export traces. Default: true.</summary>
    public bool Traces { get; set; } = true;

    /// <summary>Export metrics. Default: true.</summary>
    public bool Metrics { get; set; } = true;

    /// <summary>Export logs (with their scopes: session, run and API key ids) over OTLP; the console exporter leaves logs to the console logger. Default: true.</summary>
    public bool Logs { get; set; } = true;

    /// <summary>How often metrics are exported. Default: 60 seconds; 1 second to 1 hour.</summary>
    public TimeSpan MetricExportInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Record prompt, completion, tool-argument and tool-result text on spans. Off by default: the text may hold personal
    /// data. <c>AgentKit:ChatPipeline:TelemetrySensitiveData</c> also turns it on for model calls.
    /// </summary>
    public bool EnableSensitiveData { get; set; }
}
