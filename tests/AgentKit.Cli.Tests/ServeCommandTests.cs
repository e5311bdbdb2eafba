using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentKit.Testing;

namespace AgentKit.Cli.Tests;

public sealed partial class ServeCommandTests
{
    [GeneratedRegex(@"Listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();

    [Fact]
    public async Task Serve_WithAModel_AnswersChatCompletionsAndHealth_UntilCtrlC()
    {
        using var cli = new CliHarness();
        var ct = TestContext.Current.CancellationToken;
        var modelPath = TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2);

        var run = cli.RunAsync("serve", "--model", modelPath, "--urls", "http://127.0.0.1:0", "--api-key", "serve-test-key-0123456789");
        Match listening;
        while (!(listening = ListeningLine().Match(cli.Out)).Success)
        {
            Assert.False(run.IsCompleted, $"serve exited early: {cli.Error}");
            await Task.Delay(50, ct);
        }

        using var http = new HttpClient { BaseAddress = new Uri(listening.Groups[1].Value) };
        using (var anonymous = await http.GetAsync(new Uri("/v1/models", UriKind.Relative), ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        http.DefaultRequestHeaders.Authorization = new("Bearer", "serve-test-key-0123456789");
        using var response = await http.PostAsJsonAsync(
            new Uri("/v1/chat/completions", UriKind.Relative),
            new { model = "default", max_tokens = 3, temperature = 0, messages = new[] { new { role = "user", content = "Hello" } } },
            ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var completion = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        Assert.InRange(completion.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), 1, 3);

        using var health = await http.GetAsync(new Uri("/health", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        cli.CancelKey.Press();
        Assert.Equal(0, await run);
    }

    [Fact]
    public async Task Serve_WithAMissingConfigFile_SaysSoInOneLine()
    {
        using var cli = new CliHarness();

        var exit = await cli.RunAsync("serve", "--config", "/nonexistent/agentkit.json");

        Assert.Equal(1, exit);
        Assert.Contains("/nonexistent/agentkit.json", cli.Error, StringComparison.Ordinal);
    }
}
