using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentKit.Hosting.Admission;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Server.Tests;

/// <summary>
/// A model with one slot (one context) and a model double that answers only when the test opens its gate: requests
/// beyond the slot wait in the bounded queue or get 429 with <c>Retry-After</c>, and nothing of a refused run is stored.
/// </summary>
public sealed class ModelAdmissionTests
{
    private static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(10);

    private static async Task<(TestServer Server, ModelAdmission Admission)> StartAsync(int maxQueued, TimeSpan queueTimeout)
    {
        var admission = new ModelAdmission("echo", new ModelAdmissionOptions { Capacity = 1, MaxQueuedRequests = maxQueued, QueueTimeout = queueTimeout });
        var server = await TestServer.StartAsync(pipeline: model => new ChatClientBuilder(model).UseModelAdmission(admission).Build());
        return (server, admission);
    }

    private static async Task<string> CreateSessionAsync(HttpClient http)
    {
        using var response = await http.PostAsJsonAsync(new Uri("api/sessions", UriKind.Relative), new { agent = "helper" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return body.RootElement.GetProperty("id").GetString()!;
    }

    private static Task<HttpResponseMessage> PostMessageAsync(HttpClient http, string session, string content, bool stream = false) =>
        http.PostAsJsonAsync(new Uri($"api/sessions/{session}/messages", UriKind.Relative), new { content, stream }, TestContext.Current.CancellationToken);

    private static Task<HttpResponseMessage> CompleteAsync(HttpClient http, string model, bool stream) =>
        http.PostAsJsonAsync(
            new Uri("v1/chat/completions", UriKind.Relative),
            new { model, stream, messages = new[] { new { role = "user", content = "hello" } } },
            TestContext.Current.CancellationToken);

    /// <summary>Polls the admission's counters (updated synchronously as requests arrive) until they match.</summary>
    private static async Task WaitForAsync(ModelAdmission admission, int inUse, int waiting)
    {
        var deadline = DateTime.UtcNow + StateTimeout;
        while (admission.InUse != inUse || admission.Waiting != waiting)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The admission stayed at {admission.InUse} in use, {admission.Waiting} waiting; expected {inUse}, {waiting}.");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    private static async Task AssertBusyAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var retryAfter = Assert.Single(response.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var error = body.RootElement.GetProperty("error");
        Assert.Equal("model_busy", error.GetProperty("code").GetString());
        Assert.Contains("Model 'echo' is busy", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionMessages_BeyondSlotAndQueue_Get429WithRetryAfter_AndStoreNothing()
    {
        var (server, admission) = await StartAsync(maxQueued: 1, queueTimeout: TimeSpan.FromSeconds(30));
        await using var _ = server;
        using var http = server.CreateHttpClient();
        var ct = TestContext.Current.CancellationToken;
        var first = await CreateSessionAsync(http);
        var second = await CreateSessionAsync(http);
        var third = await CreateSessionAsync(http);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Model.Gate = gate;

        var running = PostMessageAsync(http, first, "one");
        await WaitForAsync(admission, inUse: 1, waiting: 0);
        var queued = PostMessageAsync(http, second, "two", stream: true);
        await WaitForAsync(admission, inUse: 1, waiting: 1);

        using (var refused = await PostMessageAsync(http, third, "three"))
        {
            await AssertBusyAsync(refused);
        }

        using (var history = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/sessions/{third}", UriKind.Relative), ct)))
        {
            Assert.Empty(history.RootElement.GetProperty("messages").EnumerateArray());
        }

        gate.SetResult();
        using (var done = await running)
        {
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
            Assert.Contains("\"Completed\"", await done.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        using (var done = await queued)
        {
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
            Assert.Contains("event: run_completed", await done.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        Assert.Equal(2, server.Model.Requests.Count);
        Assert.Equal((2, 1), (admission.Admitted, admission.Refused));
        Assert.Equal((0, 0), (admission.InUse, admission.Waiting));
    }

    [Fact]
    public async Task ChatCompletions_NoSlotWithinQueueTimeout_Get429_StreamingAndAgentsToo()
    {
        var (server, admission) = await StartAsync(maxQueued: 4, queueTimeout: TimeSpan.FromMilliseconds(200));
        await using var _ = server;
        using var http = server.CreateHttpClient();
        var ct = TestContext.Current.CancellationToken;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Model.Gate = gate;

        var running = CompleteAsync(http, "echo", stream: false);
        await WaitForAsync(admission, inUse: 1, waiting: 0);

        // A stream is refused with a status, not inside a 200 event stream; an agent as the model is admitted too.
        foreach (var (model, stream) in new[] { ("echo", true), ("echo", false), ("helper", true) })
        {
            using var refused = await CompleteAsync(http, model, stream);
            await AssertBusyAsync(refused);
        }

        gate.SetResult();
        using var done = await running;
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("echo: hello", await done.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.Equal((1, 3), (admission.Admitted, admission.Refused));
    }

    [Fact]
    public async Task AgentRun_HoldsOneSlot_ItsModelCallsTakeNoSecond()
    {
        // No queue: were the run's model call to need a second slot, it would be refused and the run fail.
        var (server, admission) = await StartAsync(maxQueued: 0, queueTimeout: TimeSpan.FromSeconds(30));
        await using var _ = server;
        using var http = server.CreateHttpClient();
        var session = await CreateSessionAsync(http);

        using var response = await PostMessageAsync(http, session, "hello");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Completed", body.RootElement.GetProperty("outcome").GetString());
        Assert.Equal("echo: hello", body.RootElement.GetProperty("text").GetString());
        Assert.Equal((1, 0), (admission.Admitted, admission.Refused));
    }
}
