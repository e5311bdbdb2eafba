using System.Diagnostics.Metrics;
using AgentKit.Abstractions.Diagnostics;

namespace AgentKit.Server.Http;

/// <summary>The <c>AgentKit.Server</c> meter: API requests running now and requests turned away, by reason.</summary>
internal static class ServerTelemetry
{
    public static Meter Meter { get; } = new(AgentKitTelemetry.ServerMeterName, AgentKitTelemetry.Version);

    /// <summary><c>agentkit.server.requests.active</c>: API requests admitted and running, by route.</summary>
    public static UpDownCounter<int> Active { get; } =
        Meter.CreateUpDownCounter<int>("agentkit.server.requests.active", "{request}", "API requests running now.");

    /// <summary><c>agentkit.server.requests.rejected</c>: API requests refused before running, by route and reason.</summary>
    public static Counter<long> Rejected { get; } =
        Meter.CreateCounter<long>("agentkit.server.requests.rejected", "{request}", "API requests refused (unauthorized, forbidden, too_large, concurrency, rate, model_busy, timeout).");

    public static void Reject(string? route, string reason)
    {
        if (Rejected.Enabled)
        {
            Rejected.Add(1, new KeyValuePair<string, object?>(TelemetryAttributes.HttpRoute, route), new KeyValuePair<string, object?>(TelemetryAttributes.ServerRejectReason, reason));
        }
    }
}
