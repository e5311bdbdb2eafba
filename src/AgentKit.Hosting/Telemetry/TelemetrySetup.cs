using AgentKit.Abstractions.Diagnostics;
using AgentKit.Agents.Diagnostics;
using AgentKit.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AgentKit.Hosting;

/// <summary>
/// Wires <c>AgentKit:Telemetry</c>: the sensitive-data switch for agent spans, and, unless the exporter is
/// <see cref="TelemetryExporter.None"/>, an OpenTelemetry tracer, meter and logger provider over every AgentKit source
/// and meter with the configured exporter. With <see cref="TelemetryExporter.None"/> nothing listens, so the sources
/// return no activities and instruments stay disabled (no cost on the hot path).
/// </summary>
internal static class TelemetrySetup
{
    public static void Add(IHostApplicationBuilder builder, TelemetryOptions telemetry)
    {
        // ChatPipeline:TelemetrySensitiveData stays what it always was, a switch for the model-call spans alone.
        builder.Services.AddOptions<AgentTelemetryOptions>().Configure<IOptions<AgentKitOptions>>((agents, options) =>
            agents.EnableSensitiveData = options.Value.Telemetry.EnableSensitiveData);

        if (telemetry.Exporter is not (TelemetryExporter.Console or TelemetryExporter.Otlp))
        {
            return;
        }

        var serviceName = string.IsNullOrWhiteSpace(telemetry.ServiceName) ? builder.Environment.ApplicationName : telemetry.ServiceName;
        var otel = builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService(serviceName));
        var interval = (int)Math.Clamp(telemetry.MetricExportInterval.TotalMilliseconds, 1000, 3_600_000);
        if (telemetry.Traces)
        {
            otel.WithTracing(tracing =>
            {
                tracing.AddSource([.. AgentKitTelemetry.SourceNames]);
                if (telemetry.Exporter == TelemetryExporter.Console)
                {
                    tracing.AddConsoleExporter();
                }
                else
                {
                    tracing.AddOtlpExporter(o => ConfigureOtlp(o, telemetry, "v1/traces"));
                }
            });
        }

        if (telemetry.Metrics)
        {
            otel.WithMetrics(metrics =>
            {
                metrics.AddMeter([.. AgentKitTelemetry.MeterNames]);
                if (telemetry.Exporter == TelemetryExporter.Console)
                {
                    metrics.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval);
                }
                else
                {
                    metrics.AddOtlpExporter((o, reader) =>
                    {
                        ConfigureOtlp(o, telemetry, "v1/metrics");
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
                    });
                }
            });
        }

        if (telemetry.Logs && telemetry.Exporter == TelemetryExporter.Otlp)
        {
            otel.WithLogging(logging => logging.AddOtlpExporter(o => ConfigureOtlp(o, telemetry, "v1/logs")), o => o.IncludeScopes = true);
        }
    }

    /// <summary>An OTLP endpoint must be an absolute http or https URI.</summary>
    public static bool TryParseEndpoint(string text, out Uri endpoint) =>
        Uri.TryCreate(text, UriKind.Absolute, out endpoint!) && (endpoint.Scheme == Uri.UriSchemeHttp || endpoint.Scheme == Uri.UriSchemeHttps);

    private static void ConfigureOtlp(OtlpExporterOptions exporter, TelemetryOptions telemetry, string signalPath)
    {
        var http = telemetry.OtlpProtocol == OtlpProtocol.HttpProtobuf;
        exporter.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        var endpoint = telemetry.OtlpEndpoint is { } text && TryParseEndpoint(text, out var parsed)
            ? parsed
            : new Uri(http ? "http://localhost:4318" : "http://localhost:4317");

        // Set in code, the HTTP exporter posts to the endpoint as given; the signal's path is ours to append.
        exporter.Endpoint = http ? new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath) : endpoint;
    }
}
