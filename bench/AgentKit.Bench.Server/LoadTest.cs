using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace AgentKit.Bench.Server;

/// <summary>
/// <c>workers</c> concurrent clients, each holding one session at a time: it creates the session, posts
/// <c>messagesPerSession</c> messages (non-streaming and streaming alternately), with <c>deleteSessions</c> deletes
/// it (as a client that is done with a conversation would, so the run leaves nothing behind), and starts a new session,
/// until the phase's time is up. After every AgentKit request the client sends one request to the baseline endpoint,
/// so both see the same load and the same number of requests. With a think time each client pauses that long
/// (not timed) before each AgentKit request, as a person typing would; without one the clients saturate the server.
/// A 429 is counted as a refusal, not an error, and the client waits its <c>Retry-After</c> (within the phase)
/// before it goes on, as a well-behaved client does.
/// </summary>
internal sealed class LoadTest(HttpClient http, int workers, int messagesPerSession, TimeSpan thinkTime, bool deleteSessions)
{
    public async Task<LoadResults> RunAsync(TimeSpan duration, TimeSpan window, CancellationToken cancellationToken)
    {
        var results = new LoadResults(duration, window);
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkerAsync(w, deadline, results, cancellationToken), cancellationToken)).ToList();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        results.Elapsed = Stopwatch.GetElapsedTime(start);
        return results;
    }

    private async Task WorkerAsync(int worker, long deadline, LoadResults results, CancellationToken cancellationToken)
    {
        if (thinkTime > TimeSpan.Zero)
        {
            // Spread the clients over one think time, so they do not all send at the same moment.
            await Task.Delay(Random.Shared.Next((int)thinkTime.TotalMilliseconds), cancellationToken).ConfigureAwait(false);
        }

        while (Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
        {
            await ThinkAsync(cancellationToken).ConfigureAwait(false);
            var id = await TimeAsync(results, deadline, RequestKind.CreateSession, () => CreateSessionAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
            await TimeAsync(results, deadline, RequestKind.Baseline, () => BaselineAsync(worker, cancellationToken), cancellationToken).ConfigureAwait(false);
            if (id is null)
            {
                continue;
            }

            results.SessionCreated();
            for (var i = 0; i < messagesPerSession && Stopwatch.GetTimestamp() < deadline; i++)
            {
                var content = $"message {i} from client {worker}";
                var streaming = i % 2 == 1;
                await ThinkAsync(cancellationToken).ConfigureAwait(false);
                await TimeAsync(
                    results,
                    deadline,
                    streaming ? RequestKind.StreamingMessage : RequestKind.Message,
                    () => streaming ? PostStreamingAsync(id, content, cancellationToken) : PostAsync(id, content, cancellationToken),
                    cancellationToken).ConfigureAwait(false);
                await TimeAsync(results, deadline, RequestKind.Baseline, () => BaselineAsync(worker, cancellationToken), cancellationToken).ConfigureAwait(false);
            }

            if (deleteSessions)
            {
                await TimeAsync(results, deadline, RequestKind.DeleteSession, () => DeleteSessionAsync(id, cancellationToken), cancellationToken).ConfigureAwait(false);
                await TimeAsync(results, deadline, RequestKind.Baseline, () => BaselineAsync(worker, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task ThinkAsync(CancellationToken cancellationToken) =>
        thinkTime > TimeSpan.Zero ? Task.Delay(thinkTime, cancellationToken) : Task.CompletedTask;

    /// <summary>
    /// Times one request. A failure (status, unexpected body, exception) is recorded as an error, not a latency; a
    /// 429 as a refusal, after which the client waits the <c>Retry-After</c> it was given (up to the deadline).
    /// </summary>
    private static async Task<string?> TimeAsync(LoadResults results, long deadline, RequestKind kind, Func<Task<string?>> request, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            var result = await request().ConfigureAwait(false);
            results.Record(kind, start, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            return result;
        }
        catch (RefusedException refused)
        {
            results.Refuse(kind);
            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (remaining > TimeSpan.Zero)
            {
                await Task.Delay(refused.RetryAfter < remaining ? refused.RetryAfter : remaining, cancellationToken).ConfigureAwait(false);
            }

            return null;
        }
        catch (Exception e) when (e is HttpRequestException or InvalidDataException or TaskCanceledException or IOException)
        {
            results.Fail($"{kind}: {e.GetType().Name}: {e.Message}");
            return null;
        }
    }

    private async Task<string?> CreateSessionAsync(CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("api/sessions", new { agent = BenchServer.AgentName }, cancellationToken).ConfigureAwait(false);
        var body = await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        return json.RootElement.GetProperty("id").GetString() ?? throw new InvalidDataException("The created session has no id.");
    }

    private async Task<string?> DeleteSessionAsync(string session, CancellationToken cancellationToken)
    {
        using var response = await http.DeleteAsync(new Uri($"api/sessions/{session}", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return session;
    }

    private async Task<string?> PostAsync(string session, string content, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync($"api/sessions/{session}/messages", new { content, stream = false }, cancellationToken).ConfigureAwait(false);
        var body = await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return body.Contains("\"outcome\":\"Completed\"", StringComparison.Ordinal) || body.Contains("\"outcome\": \"Completed\"", StringComparison.Ordinal)
            ? session
            : throw new InvalidDataException($"The run did not complete: {Truncate(body)}");
    }

    private async Task<string?> PostStreamingAsync(string session, string content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{session}/messages") { Content = JsonContent.Create(new { content, stream = true }) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var body = await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return body.Contains("event: text_delta", StringComparison.Ordinal) && body.Contains("event: run_completed", StringComparison.Ordinal)
            ? session
            : throw new InvalidDataException($"The event stream has no text or no run_completed: {Truncate(body)}");
    }

    private async Task<string?> BaselineAsync(int worker, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(BenchServer.BaselinePath.TrimStart('/'), new { content = $"baseline from client {worker}" }, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return string.Empty;
    }

    private static async Task<string> EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            // A 429 without Retry-After breaks the API's contract: an error, not a refusal.
            var retryAfter = response.Headers.RetryAfter?.Delta
                ?? throw new InvalidDataException($"HTTP 429 without Retry-After: {Truncate(body)}");
            throw new RefusedException(retryAfter);
        }

        return response.IsSuccessStatusCode
            ? body
            : throw new InvalidDataException($"HTTP {(int)response.StatusCode}: {Truncate(body)}");
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private sealed class RefusedException(TimeSpan retryAfter) : Exception("HTTP 429")
    {
        public TimeSpan RetryAfter { get; } = retryAfter;
    }
}
