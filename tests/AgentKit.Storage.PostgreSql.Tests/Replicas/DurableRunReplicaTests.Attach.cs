using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AgentKit.Storage.PostgreSql.Tests.Replicas;

/// <summary>
/// Re-attaching to a run's events on a replica that does not run it: the events after the client's last id, live until
/// the run ends, with the ids the running replica gave them — and on through a resume by another replica.
/// </summary>
public sealed partial class DurableRunReplicaTests
{
    [Fact]
    public async Task AClientAttachingToReplicaB_WhileReplicaARunsTheTurn_GetsEveryEventAfterItsLastId_LiveAndUnderTheSameIds()
    {
        server.SkipIfUnavailable();
        var schema = PostgreSqlServerFixture.NewSchema();
        await using var a = await StartAsync(schema, "attach-a");
        await using var b = await StartAsync(schema, "attach-b");
        var sessionId = await a.CreateSessionAsync();

        // The turn runs on A, streaming to its client, and waits there for the refund's approval.
        await using var onA = await EventStream.OpenAsync(a.Http, new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{sessionId}/messages") { Content = JsonContent.Create(new { content = "refund order 7", stream = true }) });
        await onA.WaitForAsync("approval_requested");
        var runId = onA.RunId;
        var lookedUp = onA.Snapshot().First(e => e.Type == "tool_result");

        // Through the balancer to B, from the lookup's result, and from the start: B derives the events from the checkpoints.
        await using var fromLookup = await EventStream.OpenAsync(b.Http, new HttpRequestMessage(HttpMethod.Get, $"api/runs/{runId}/events?after={lookedUp.Id}"));
        var fromStartRequest = new HttpRequestMessage(HttpMethod.Get, $"api/runs/{runId}/events");
        fromStartRequest.Headers.Add("Last-Event-ID", "0");
        await using var fromStart = await EventStream.OpenAsync(b.Http, fromStartRequest);
        await fromLookup.WaitForAsync("approval_requested");
        Assert.Equal(Ids(onA.Snapshot().Where(e => e.Id > lookedUp.Id)), Ids(fromLookup.Snapshot()));
        Assert.False(fromLookup.Completion.IsCompleted);

        // Answered on B; A finishes the turn; both of B's streams follow it to the end.
        var approvalId = await WaitForApprovalAsync(b, sessionId, running: null);
        using (var approved = await b.Http.PostAsync(new Uri($"api/approvals/{approvalId}/approve", UriKind.Relative), null, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, approved.StatusCode);
        }

        await Task.WhenAll(onA.Completion, fromLookup.Completion, fromStart.Completion).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var all = onA.Snapshot();
        Assert.Equal("run_completed", all[^1].Type);
        Assert.Equal(Ids(all.Where(e => e.Id > lookedUp.Id)), Ids(fromLookup.Snapshot()));
        Assert.Equal(Ids(all), Ids(fromStart.Snapshot()));
        Assert.Equal(all.Count, all.Select(e => e.Id).Distinct().Count());
        Assert.Equal("done: refunded order 7", Text(fromLookup.Snapshot()));
        Assert.Equal(Text(all), Text(fromStart.Snapshot()));
        Assert.Equal((1, 1), (Executions("lookup"), Executions("refund")));
        Assert.Equal((3, 0), (a.Model.Calls, b.Model.Calls));

        // Finished: still attachable on either replica from any id; an unknown run stays a 404 problem.
        await using var late = await EventStream.OpenAsync(b.Http, new HttpRequestMessage(HttpMethod.Get, $"api/runs/{runId}/events?after={all[^2].Id}"));
        await late.Completion.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal([(all[^1].Id, "run_completed")], Ids(late.Snapshot()));
        using var unknown = await b.Http.GetAsync(new Uri("api/runs/no-such-run/events", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("run_not_attachable", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStreamAttachedToReplicaB_GoesOnWhenReplicaAStops_AndBResumesTheRun_WithoutLossOrRepeats()
    {
        server.SkipIfUnavailable();
        var schema = PostgreSqlServerFixture.NewSchema();
        await using var a = await StartAsync(schema, "attach-a2");
        await using var b = await StartAsync(schema, "attach-b2");
        var sessionId = await a.CreateSessionAsync();

        await using var onA = await EventStream.OpenAsync(a.Http, new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{sessionId}/messages") { Content = JsonContent.Create(new { content = "refund order 7", stream = true }) });
        var asked = await onA.WaitForAsync("approval_requested");
        var runId = onA.RunId;
        var seenOnA = onA.Snapshot().Where(e => e.Id <= asked.Id).ToList();

        // The client, cut off from A, attaches to B after the last event it saw; then A goes away mid-turn.
        await using var onB = await EventStream.OpenAsync(b.Http, new HttpRequestMessage(HttpMethod.Get, $"api/runs/{runId}/events?after={asked.Id}"));
        await a.StopAsync(TimeSpan.FromMilliseconds(200));
        await Task.Delay(300, Ct);
        Assert.Empty(onB.Snapshot());
        Assert.False(onB.Completion.IsCompleted);

        // B resumes the run (it replays, asks again under the same id) and the approval is answered there.
        using (var resumed = await ResumeWhenFreeAsync(b, runId))
        {
            Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
        }

        // Attached to B's own run now: its live events, under the same ids.
        await using var resumedOnB = await EventStream.OpenAsync(b.Http, new HttpRequestMessage(HttpMethod.Get, $"api/runs/{runId}/events?after={asked.Id}"));
        var approvalId = await WaitForApprovalAsync(b, sessionId, running: null);
        using (var approved = await b.Http.PostAsync(new Uri($"api/approvals/{approvalId}/approve", UriKind.Relative), null, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, approved.StatusCode);
        }

        await Task.WhenAll(onB.Completion, resumedOnB.Completion).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var rest = onB.Snapshot();
        Assert.Equal(["approval_resolved", "tool_result", "step_completed", "text_delta", "step_completed", "run_completed"], rest.Select(e => e.Type));
        Assert.Equal(Ids(rest), Ids(resumedOnB.Snapshot()));
        Assert.All(rest, e => Assert.True(e.Id > asked.Id));
        Assert.Equal(rest.Count, rest.Select(e => e.Id).Distinct().Count());
        Assert.Equal("done: refunded order 7", Text(rest));

        // What the client saw on A and then on B is the run's whole stream, as a client attaching from the start gets it.
        await using var whole = await EventStream.OpenAsync(b.Http, new HttpRequestMessage(HttpMethod.Get, $"api/runs/{runId}/events"));
        await whole.Completion.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(Ids([.. seenOnA, .. rest]), Ids(whole.Snapshot()));
        Assert.Equal((1, 1), (Executions("lookup"), Executions("refund")));
        Assert.Equal((2, 1), (a.Model.Calls, b.Model.Calls));
    }

    private static List<(long, string)> Ids(IEnumerable<ServerSentEvent> events) => [.. events.Select(e => (e.Id, e.Type))];

    private static string Text(IEnumerable<ServerSentEvent> events) => string.Concat(events.Where(e => e.Type == "text_delta").Select(e =>
    {
        using var data = JsonDocument.Parse(e.Data);
        return data.RootElement.GetProperty("text").GetString();
    }));

    internal sealed record ServerSentEvent(long Id, string Type, string Data);

    /// <summary>A server-sent event stream read in the background as it arrives.</summary>
    private sealed class EventStream : IAsyncDisposable
    {
        private readonly List<ServerSentEvent> _events = [];
        private readonly HttpResponseMessage _response;
        private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        private EventStream(HttpResponseMessage response)
        {
            _response = response;
            Completion = Task.Run(ReadAsync);
        }

        /// <summary>Completes when the server ends the stream (the run ended).</summary>
        public Task Completion { get; }

        public string RunId
        {
            get
            {
                using var data = JsonDocument.Parse(Snapshot()[0].Data);
                return data.RootElement.GetProperty("runId").GetString()!;
            }
        }

        public static async Task<EventStream> OpenAsync(HttpClient http, HttpRequestMessage request)
        {
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            return new EventStream(response);
        }

        public List<ServerSentEvent> Snapshot()
        {
            lock (_events)
            {
                return [.. _events];
            }
        }

        public async Task<ServerSentEvent> WaitForAsync(string type)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline)
            {
                if (Snapshot().FirstOrDefault(e => e.Type == type) is { } found)
                {
                    return found;
                }

                Assert.False(Completion.IsCompleted, $"the stream ended without a {type} event");
                await Task.Delay(20, Ct);
            }

            throw new TimeoutException($"No {type} event within 30 seconds.");
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Completion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _response.Dispose();
            _stop.Dispose();
        }

        private async Task ReadAsync()
        {
            using var reader = new StreamReader(await _response.Content.ReadAsStreamAsync(_stop.Token));
            long id = 0;
            string? type = null;
            string? data = null;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (type is not null && data is not null)
                    {
                        lock (_events)
                        {
                            _events.Add(new ServerSentEvent(id, type, data));
                        }
                    }

                    (type, data) = (null, null);
                }
                else if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    type = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line[6..];
                }
            }
        }
    }
}
