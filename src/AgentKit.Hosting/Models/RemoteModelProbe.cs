using System.Net;
using AgentKit.Hosting.Configuration;

namespace AgentKit.Hosting.Models;

/// <summary>
/// The health of an OpenAI-compatible model: <c>GET {Endpoint}/models</c>, at most once per
/// <see cref="Interval"/> (callers in between share the last answer or the probe in flight) and never longer than
/// <see cref="MaxTimeout"/>. Any HTTP answer but 401, 403 and 5xx means the endpoint is up.
/// </summary>
internal sealed class RemoteModelProbe(string name, ModelOptions model, HttpClient http, TimeProvider time)
{
    /// <summary>How long one probe's answer is reused.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>The longest a probe waits for the endpoint (less when the model's own timeout is shorter).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private Task<ModelStatus>? _probe;
    private long _startedAt;

    /// <summary>The last probe's answer; <see cref="ModelLoadState.NotLoaded"/> before the first.</summary>
    public ModelStatus Last => _probe is { IsCompletedSuccessfully: true } done ? done.Result : new ModelStatus(name, ModelLoadState.NotLoaded, 0, null);

    /// <summary>The endpoint's status, probed when the last answer is older than <see cref="Interval"/>.</summary>
    public Task<ModelStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_probe is null || (_probe.IsCompleted && time.GetElapsedTime(_startedAt) >= Interval))
            {
                _startedAt = time.GetTimestamp();
                _probe = ProbeAsync();
            }

            return _probe.WaitAsync(cancellationToken);
        }
    }

    private async Task<ModelStatus> ProbeAsync()
    {
        var timeout = model.Timeout < MaxTimeout ? model.Timeout : MaxTimeout;
        using var cts = new CancellationTokenSource(timeout, time);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(model.Endpoint!.ToString().TrimEnd('/') + "/models"));
            if (!string.IsNullOrEmpty(model.ApiKey))
            {
                request.Headers.Authorization = new("Bearer", model.ApiKey);
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
            return response.StatusCode switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => Down($"the endpoint refused the API key (HTTP {(int)response.StatusCode})"),
                >= HttpStatusCode.InternalServerError => Down($"the endpoint answered HTTP {(int)response.StatusCode}"),
                _ => new ModelStatus(name, ModelLoadState.Loaded, 1, null),
            };
        }
        catch (OperationCanceledException)
        {
            return Down($"the endpoint did not answer within {timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e)
        {
            // The error kind, not the message: the message names the endpoint's address, and /health is public.
            return Down($"the endpoint could not be reached ({e.HttpRequestError})");
        }
    }

    private ModelStatus Down(string why) => new(name, ModelLoadState.Failed, 0, why);
}
