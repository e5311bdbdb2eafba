using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;
using ShopBot.Carrier;

namespace ShopBot.Carrier;

/// <summary>
/// The shipping partner's label API over HTTP, behind a resilience pipeline: per-attempt timeout, retries with
/// exponential back-off and jitter for transient failures (5xx, 429, timeouts, refused connections), and a circuit
/// breaker that fails fast while the partner is down. Label creation sends an <c>Idempotency-Key</c>, so a retried
/// request never makes a second label.
/// </summary>
public sealed partial class CarrierClient
{
    private readonly HttpClient _http;
    private readonly CarrierClientOptions _options;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ILogger<CarrierClient> _logger;

    /// <summary>Creates the client.</summary>
    /// <param name="http">An HTTP client whose <see cref="HttpClient.BaseAddress"/> is the label API.</param>
    /// <param name="options">Key, retries, timeouts, circuit breaker.</param>
    /// <param name="time">The clock the pipeline waits on.</param>
    /// <param name="logger">Logs retries and circuit changes.</param>
    public CarrierClient(HttpClient http, CarrierClientOptions options, TimeProvider time, ILogger<CarrierClient> logger)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options;
        _logger = logger;
        _pipeline = BuildPipeline(options, time);
    }

    /// <summary>Asks the carrier for a return label.</summary>
    /// <param name="request">Reference, addresses, weight.</param>
    /// <param name="idempotencyKey">The same key for the same return, so retries return the same label.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The label.</returns>
    /// <exception cref="CarrierUnavailableException">The carrier is down or kept failing after the retries.</exception>
    /// <exception cref="CarrierRejectedException">The carrier refused the request (bad key, bad data): retrying will not help.</exception>
    public async Task<LabelResponse> CreateLabelAsync(LabelRequest request, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var response = await SendAsync(
            () =>
            {
                var message = new HttpRequestMessage(HttpMethod.Post, "labels") { Content = JsonContent.Create(request) };
                message.Headers.Add("X-Api-Key", _options.ApiKey);
                message.Headers.Add("Idempotency-Key", idempotencyKey);
                return message;
            },
            cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<LabelResponse>(cancellationToken).ConfigureAwait(false)
            ?? throw new CarrierRejectedException("The carrier answered an empty label.", (int)response.StatusCode);
    }

    /// <summary>Downloads a label PDF.</summary>
    /// <param name="labelUrl">The label's URL as the carrier gave it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The PDF.</returns>
    /// <exception cref="CarrierUnavailableException">The carrier is down.</exception>
    /// <exception cref="CarrierRejectedException">The carrier refused (e.g. unknown label).</exception>
    public async Task<byte[]> DownloadLabelAsync(Uri labelUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(labelUrl);
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, labelUrl), cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(
                async token =>
                {
                    using var message = create();
                    return await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (BrokenCircuitException e)
        {
            throw new CarrierUnavailableException($"The carrier's label service is failing; calls are paused{(e.RetryAfter is { } after ? $" for {after.TotalSeconds:0} more seconds" : string.Empty)}.", e);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException)
        {
            throw new CarrierUnavailableException($"The carrier's label service could not be reached after {_options.MaxRetries + 1} attempts ({e.Message}).", e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status >= 500 || status == 429)
            {
                throw new CarrierUnavailableException($"The carrier's label service answered {status} to all {_options.MaxRetries + 1} attempts.");
            }

            throw new CarrierRejectedException($"The carrier refused the request with {status}: {Truncate(body, 300)}", status);
        }
    }

    private ResiliencePipeline<HttpResponseMessage> BuildPipeline(CarrierClientOptions options, TimeProvider time)
    {
        var transient = new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.TooManyRequests);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };

        // Outermost first: retries wrap the breaker, so a broken circuit stops the retries at once.
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = transient,
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    var outcome = args.Outcome.Result is { } r ? ((int)r.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name ?? "?";
                    Log.Retrying(_logger, args.AttemptNumber + 2, outcome, args.RetryDelay);
                    return default;
                },
            });
        }

        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = transient,
                FailureRatio = 1.0,
                MinimumThroughput = Math.Max(2, options.BreakAfterFailures),
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = options.BreakDuration,
                OnOpened = args =>
                {
                    Log.CircuitOpened(_logger, args.BreakDuration);
                    return default;
                },
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Carrier call failed ({Outcome}); attempt {Attempt} in {Delay}")]
        public static partial void Retrying(ILogger logger, int attempt, string outcome, TimeSpan delay);

        [LoggerMessage(Level = LogLevel.Error, Message = "Carrier circuit opened for {Duration}: label requests fail fast until then")]
        public static partial void CircuitOpened(ILogger logger, TimeSpan duration);
    }
}

/// <summary>The carrier cannot be reached or keeps failing; tell the customer plainly and hand over.</summary>
public sealed class CarrierUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CarrierUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What happened.</param>
    public CarrierUnavailableException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public CarrierUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>The carrier refused a request; retrying will not help.</summary>
public sealed class CarrierRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CarrierRejectedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What happened.</param>
    public CarrierRejectedException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with the HTTP status.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="statusCode">The carrier's status code.</param>
    public CarrierRejectedException(string message, int statusCode) : base(message) => StatusCode = statusCode;

    /// <summary>Creates the exception with a cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public CarrierRejectedException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The carrier's HTTP status.</summary>
    public int? StatusCode { get; }
}
