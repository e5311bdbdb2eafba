using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentKit.Testing.Http;

namespace AgentKit.Server.Tests;

/// <summary>A configured upstream model that fails gives the API's caller a problem response saying what failed.</summary>
public sealed class ModelOutageTests
{
    [Theory]
    [InlineData(false, 500, 502, "it answered HTTP 500 (internal server error)")]
    [InlineData(true, 500, 502, "it answered HTTP 500 (internal server error)")]
    [InlineData(false, 0, 504, "it did not answer within 0.3 s (AgentKit:Models:remote:Timeout)")]
    public async Task FailingUpstreamModel_GetsAGatewayProblem_SayingWhatFailed_WithoutTheUpstreamAddress(bool stream, int upstreamStatus, int status, string reason)
    {
        await using var upstream = new LoopbackHttpServer(_ => upstreamStatus == 0
            ? new LoopbackResponse(200, "{}"u8.ToArray()) { Delay = TimeSpan.FromSeconds(30) }
            : new LoopbackResponse(upstreamStatus, """{"error":{"message":"boom"}}"""u8.ToArray()) { Headers = { ["Content-Type"] = "application/json" } });
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["AgentKit:Models:remote:Provider"] = "OpenAI",
            ["AgentKit:Models:remote:Endpoint"] = new Uri(upstream.BaseAddress, "v1").AbsoluteUri,
            ["AgentKit:Models:remote:ApiKey"] = "upstream-key",
            ["AgentKit:Models:remote:Model"] = "served-model",
            ["AgentKit:Models:remote:Timeout"] = "00:00:00.3",
            ["AgentKit:Models:remote:MaxRetries"] = "0",
        });
        using var http = server.CreateHttpClient();
        var body = $$"""{"model":"remote","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""";

        using var response = await http.PostAsync(new Uri("v1/chat/completions", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status == (int)response.StatusCode, text);
        using var problem = JsonDocument.Parse(text);
        var error = problem.RootElement.GetProperty("error");
        Assert.Equal("model_unavailable", error.GetProperty("code").GetString());
        Assert.Equal($"The model 'remote' failed: {reason}.", error.GetProperty("message").GetString());
        Assert.DoesNotContain(upstream.BaseAddress.Port.ToString(CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
    }
}
