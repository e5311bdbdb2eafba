using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using AgentKit.VectorStores.Qdrant.Wire;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace AgentKit.VectorStores.Qdrant.Http;

/// <summary>
/// Sends one REST call to Qdrant: JSON bodies from the source-generated context, the <c>api-key</c> header,
/// retries on 429/503 (honouring <c>Retry-After</c>) inside an overall timeout, and Qdrant's error envelope turned
/// into <see cref="QdrantVectorStoreException"/>.
/// </summary>
internal sealed class QdrantRestClient
{
    internal const string SystemName = "qdrant";

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string? _apiKey;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly TimeSpan _timeout;

    public QdrantRestClient(HttpClient http, QdrantVectorStoreOptions options, ILogger logger)
    {
        options.Validate();
        _http = http;
        var endpoint = options.Endpoint!.ToString();
        _endpoint = new Uri(endpoint.EndsWith('/') ? endpoint : endpoint + "/");
        _apiKey = options.ApiKey;
        _logger = logger;
        _timeout = options.Timeout;
        _pipeline = BuildPipeline(options, logger);
    }

    /// <summary>Sends a request and returns the envelope's <c>result</c>.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The path below the endpoint, query string included, segments already escaped.</param>
    /// <param name="body">The request body, or null.</param>
    /// <param name="bodyInfo">How to serialize <paramref name="body"/>.</param>
    /// <param name="resultInfo">How to read the success envelope.</param>
    /// <param name="operation">The operation named in errors and logs.</param>
    /// <param name="collection">The collection concerned, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<TResult?> SendAsync<TBody, TResult>(
        HttpMethod method,
        string path,
        TBody? body,
        JsonTypeInfo<TBody>? bodyInfo,
        JsonTypeInfo<QdrantResponse<TResult>> resultInfo,
        string operation,
        string? collection,
        CancellationToken cancellationToken)
    {
        var content = body is null || bodyInfo is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, bodyInfo);
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            var context = ResilienceContextPool.Shared.Get(operation, cancellationToken);
            try
            {
                response = await _pipeline.ExecuteAsync(
                    static async (ctx, state) => await state.Self.SendOnceAsync(state.Method, state.Path, state.Content, ctx.CancellationToken).ConfigureAwait(false),
                    context,
                    (Self: this, Method: method, Path: path, Content: content)).ConfigureAwait(false);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
        catch (TimeoutRejectedException e)
        {
            throw Failure($"Qdrant did not complete {operation} within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (retries included).", operation, collection, null, null, e);
        }
        catch (HttpRequestException e)
        {
            throw Failure($"Qdrant at {_endpoint} could not be reached for {operation}: {e.Message}", operation, collection, e.StatusCode, null, e);
        }

        using (response)
        {
            QdrantLog.Completed(_logger, operation, method.Method, path, response.StatusCode, Stopwatch.GetElapsedTime(started));
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var error = ErrorText(bytes);
                var status = (int)response.StatusCode;
                var detail = string.IsNullOrWhiteSpace(error) ? response.ReasonPhrase ?? "no message" : error;
                throw Failure($"Qdrant {operation} failed with HTTP {status}: {detail}", operation, collection, response.StatusCode, error, null);
            }

            try
            {
                return JsonSerializer.Deserialize(bytes, resultInfo) is { } envelope ? envelope.Result : default;
            }
            catch (JsonException e)
            {
                throw Failure($"Qdrant's answer to {operation} is not the JSON expected: {e.Message}", operation, collection, response.StatusCode, null, e);
            }
        }
    }

    internal static QdrantVectorStoreException Failure(
        string message, string operation, string? collection, HttpStatusCode? status, string? error, Exception? inner) =>
        inner is null
            ? new QdrantVectorStoreException(message)
            {
                VectorStoreSystemName = SystemName, CollectionName = collection, OperationName = operation, StatusCode = status, QdrantError = error,
            }
            : new QdrantVectorStoreException(message, inner)
            {
                VectorStoreSystemName = SystemName, CollectionName = collection, OperationName = operation, StatusCode = status, QdrantError = error,
            };

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string path, byte[]? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_endpoint, path));
        if (content is not null)
        {
            request.Content = new ByteArrayContent(content);
            request.Content.Headers.ContentType = JsonMediaType;
        }

        if (_apiKey is not null)
        {
            request.Headers.TryAddWithoutValidation("api-key", _apiKey);
        }

        return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Qdrant's <c>status.error</c>, or the body as text (401 and some proxies answer plain text).</summary>
    private static string? ErrorText(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            if (JsonNode.Parse(body) is JsonObject envelope
                && envelope["status"] is JsonObject status
                && status["error"] is JsonValue error
                && error.TryGetValue<string>(out var text))
            {
                return text;
            }
        }
        catch (JsonException)
        {
        }

        var plain = Encoding.UTF8.GetString(body).Trim();
        return plain.Length > 1000 ? plain[..1000] + "…" : plain;
    }

    private static ResiliencePipeline<HttpResponseMessage> BuildPipeline(QdrantVectorStoreOptions options, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        builder.AddTimeout(options.Timeout);
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.Timeout,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result is { } r && IsRetryable(r.StatusCode)),
                DelayGenerator = static args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
                OnRetry = args =>
                {
                    if (args.Outcome.Result is { } r)
                    {
                        QdrantLog.Retrying(logger, r.StatusCode, args.Context.OperationKey ?? "request", args.AttemptNumber + 1, args.RetryDelay);
                    }

                    return ValueTask.CompletedTask;
                },
            });
        }

        return builder.Build();
    }

    private static bool IsRetryable(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;

    /// <summary>The server's <c>Retry-After</c> (seconds or a date) when given; null lets the backoff decide.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        var retryAfter = response?.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
