using System.Text;
using AgentKit.Agents;
using AgentKit.Agents.Diagnostics;
using AgentKit.Testing;
using AgentKit.Testing.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AgentKit.Hosting.Tests;

/// <summary><c>AgentKit:Telemetry</c>: validation, the sensitive-data switch and OTLP/HTTP export to a real loopback collector.</summary>
public sealed class TelemetryTests : IDisposable
{
    private readonly TestHosts _hosts = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _hosts.Dispose();

    [Fact]
    public async Task OtlpHttp_ExportsSpansMetricsAndLogs_ToTheCollector()
    {
        await using var collector = new LoopbackHttpServer(_ => LoopbackResponse.Empty(200));
        var builder = _hosts.Builder(new Dictionary<string, string?>
        {
            ["AgentKit:Telemetry:Exporter"] = "Otlp",
            ["AgentKit:Telemetry:OtlpProtocol"] = "HttpProtobuf",
            ["AgentKit:Telemetry:OtlpEndpoint"] = collector.BaseAddress.ToString(),
            ["AgentKit:Telemetry:ServiceName"] = "otlp-test-service",
        });
        builder.AddAgentKit();
        builder.Services.AddSingleton<IChatClient>(new ScriptedChatClient("Filed under returns."));
        builder.Services.AddAgent(new AgentDefinition { Name = "clerk", Instructions = AgentInstructions.Literal("You file things.") });
        using var host = builder.Build();
        await host.StartAsync(Ct);

        var session = await host.Services.GetRequiredService<AgentRunner>().CreateSessionAsync("clerk", Ct);
        var result = await session.RunAsync("File this.", Ct);
        Assert.Equal(AgentRunOutcome.Completed, result.Outcome);
        Assert.True(host.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000));
        Assert.True(host.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000));
        Assert.True(host.Services.GetRequiredService<LoggerProvider>().ForceFlush(10_000));
        await host.StopAsync(Ct);

        var traces = Assert.Single(collector.Requests, r => r.PathOnly == "/v1/traces");
        Assert.Equal("POST", traces.Method);
        Assert.Equal("application/x-protobuf", traces.Header("Content-Type"));
        var spans = Encoding.UTF8.GetString(traces.Body);
        Assert.Contains("invoke_agent clerk", spans, StringComparison.Ordinal);
        Assert.Contains("chat", spans, StringComparison.Ordinal);
        Assert.Contains(AgentTelemetry.SourceName, spans, StringComparison.Ordinal);
        Assert.Contains("otlp-test-service", spans, StringComparison.Ordinal);
        Assert.Contains(result.RunId, spans, StringComparison.Ordinal);

        var metrics = collector.Requests.Where(r => r.PathOnly == "/v1/metrics").ToList();
        Assert.NotEmpty(metrics);
        Assert.All(metrics, m => Assert.Equal("application/x-protobuf", m.Header("Content-Type")));
        Assert.Contains(metrics, m => Encoding.UTF8.GetString(m.Body).Contains(AgentTelemetry.RunDurationMetric, StringComparison.Ordinal));

        // The run's log lines carry its scope (session and run ids) as attributes.
        var logs = string.Concat(collector.Requests.Where(r => r.PathOnly == "/v1/logs").Select(r => Encoding.UTF8.GetString(r.Body)));
        Assert.Contains("RunId", logs, StringComparison.Ordinal);
        Assert.Contains(session.Id, logs, StringComparison.Ordinal);
    }

    [Fact]
    public void ExporterNone_RegistersNoProviders()
    {
        var builder = _hosts.Builder(new Dictionary<string, string?>());
        builder.AddAgentKit();
        using var host = builder.Build();

        Assert.Null(host.Services.GetService<TracerProvider>());
        Assert.Null(host.Services.GetService<MeterProvider>());
        Assert.False(host.Services.GetRequiredService<IOptions<AgentTelemetryOptions>>().Value.EnableSensitiveData);
    }

    [Fact]
    public void ExporterConsole_RegistersTracerAndMeterProviders_ButNoOtlpLogs()
    {
        var builder = _hosts.Builder(new Dictionary<string, string?> { ["AgentKit:Telemetry:Exporter"] = "Console" });
        builder.AddAgentKit();
        using var host = builder.Build();

        Assert.NotNull(host.Services.GetService<TracerProvider>());
        Assert.NotNull(host.Services.GetService<MeterProvider>());
        Assert.Null(host.Services.GetService<LoggerProvider>());
    }

    [Theory]
    [InlineData("AgentKit:Telemetry:EnableSensitiveData", true)]
    [InlineData("AgentKit:ChatPipeline:TelemetrySensitiveData", false)]
    public void SensitiveData_OnlyTheTelemetrySwitch_ReachesAgentRuns(string key, bool reachesAgents)
    {
        var builder = _hosts.Builder(new Dictionary<string, string?> { [key] = "true" });
        builder.AddAgentKit();
        using var host = builder.Build();

        Assert.Equal(reachesAgents, host.Services.GetRequiredService<IOptions<AgentTelemetryOptions>>().Value.EnableSensitiveData);
    }

    [Fact]
    public async Task Start_WithBadTelemetryValues_ReportsEachKey()
    {
        var builder = _hosts.Builder(new Dictionary<string, string?>
        {
            ["AgentKit:Telemetry:Exporter"] = "Otlp",
            ["AgentKit:Telemetry:OtlpEndpoint"] = "ftp://collector.invalid/",
            ["AgentKit:Telemetry:MetricExportInterval"] = "00:00:00.100",
            ["AgentKit:Telemetry:ServiceName"] = " ",
        });
        builder.AddAgentKit();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("AgentKit:Telemetry:OtlpEndpoint: 'ftp://collector.invalid/' is not an absolute http or https URI", error.Message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Telemetry:MetricExportInterval", error.Message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Telemetry:ServiceName", error.Message, StringComparison.Ordinal);
    }
}
