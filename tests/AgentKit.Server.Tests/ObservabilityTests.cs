using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentKit.Server.Tests;

/// <summary>Server requests logged at every level never show a key; their log lines carry the key's id and the session; the meter counts rejections.</summary>
public sealed class ObservabilityTests
{
    private const string ModelKey = "sk-model-5ECRET-0d7c44b1e9a2";
    private const string WrongKey = "wrong-key-5ECRET-91be07aa3f";

    [Fact]
    public async Task Requests_WithKeysConfigured_LogNoSecret_AndCarrySessionScope()
    {
        var logs = new CapturingLoggerProvider();
        using var metrics = new MeasurementCollector(AgentKitTelemetry.ServerMeterName);
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace", ["AgentKit:Models:echo:ApiKey"] = ModelKey },
            services => services.AddSingleton<ILoggerProvider>(logs));
        using var http = server.CreateHttpClient();
        var ct = TestContext.Current.CancellationToken;

        using var created = await http.PostAsJsonAsync(new Uri("api/sessions", UriKind.Relative), new { agent = "helper" }, ct);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("id").GetString()!;
        using var posted = await http.PostAsJsonAsync(new Uri($"api/sessions/{id}/messages", UriKind.Relative), new { content = "hello agent" }, ct);
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        using var completion = await http.PostAsJsonAsync(new Uri("v1/chat/completions", UriKind.Relative), new { model = "echo", messages = new[] { new { role = "user", content = "hi" } } }, ct);
        Assert.Equal(HttpStatusCode.OK, completion.StatusCode);
        using var wrong = new HttpClient { BaseAddress = server.BaseAddress };
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", WrongKey);
        using var refused = await wrong.GetAsync(new Uri("api/agents", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        var all = logs.AllText;
        Assert.Contains(logs.Logs, l => l.Level == LogLevel.Trace);
        Assert.DoesNotContain(TestServer.ApiKey, all, StringComparison.Ordinal);
        Assert.DoesNotContain(ModelKey, all, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongKey, all, StringComparison.Ordinal);

        // The run inside the request logs under both scopes: the request's (key id, session) and the run's.
        var runId = JsonDocument.Parse(await posted.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("runId").GetString();
        var run = logs.Logs.Where(l => l.Scopes.Contains(new KeyValuePair<string, object?>("RunId", runId))).ToList();
        Assert.NotEmpty(run);
        Assert.All(run, l =>
        {
            Assert.Contains(new KeyValuePair<string, object?>("SessionId", id), l.Scopes);
            var keyId = Assert.Single(l.Scopes, s => s.Key == "ApiKeyId").Value as string;
            Assert.Equal(12, keyId!.Length);
            Assert.DoesNotContain(keyId, TestServer.ApiKey, StringComparison.Ordinal);
        });

        Assert.Contains(metrics.Of("agentkit.server.requests.rejected"), m => Equals(m.Tag(TelemetryAttributes.ServerRejectReason), "unauthorized") && Equals(m.Tag(TelemetryAttributes.HttpRoute), "/api/agents"));
        var active = metrics.Of("agentkit.server.requests.active").Where(m => Equals(m.Tag(TelemetryAttributes.HttpRoute), "/api/sessions/{id}/messages")).ToList();
        Assert.Contains(active, m => m.Value == 1);
        Assert.Contains(active, m => m.Value == -1);
    }
}
