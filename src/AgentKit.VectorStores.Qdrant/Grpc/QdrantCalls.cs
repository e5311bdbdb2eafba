using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Qdrant.Client;

namespace AgentKit.VectorStores.Qdrant.Grpc;

/// <summary>
/// Runs one <see cref="QdrantClient"/> call: retries on <c>Unavailable</c> and <c>ResourceExhausted</c> (honouring
/// a <c>retry-after</c> trailer in seconds) inside an overall timeout, and turns gRPC and client failures into
/// <see cref="QdrantVectorStoreException"/>. Qdrant.Client itself neither retries nor bounds a call unless it was
/// created with a gRPC deadline.
/// </summary>
internal sealed class QdrantCalls
{
    internal const string SystemName = "qdrant";

    private readonly ResiliencePipeline _retries;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly string _hint;

    /// <param name="options">Retries and timeout.</param>
    /// <param name="logger">Where retries and completed calls are logged.</param>
    /// <param name="endpoint">The address the store's own client uses, or null for a client handed over.</param>
    public QdrantCalls(QdrantVectorStoreOptions options, ILogger logger, Uri? endpoint)
    {
        _timeout = options.Timeout;

        // The REST connector's address carried over unchanged is the likeliest mistake after a migration.
        _hint = endpoint?.Port == 6333 ? $" ({endpoint} is Qdrant's REST port; its gRPC port is 6334 by default)" : string.Empty;
        _logger = logger;
        _retries = BuildRetries(options, logger);
    }

    public Task RunAsync(Func<CancellationToken, Task> call, string operation, string? collection, CancellationToken cancellationToken) =>
        RunAsync(async token => { await call(token).ConfigureAwait(false); return true; }, operation, collection, cancellationToken);

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, string operation, string? collection, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        var started = Stopwatch.GetTimestamp();
        var context = ResilienceContextPool.Shared.Get(operation, timeout.Token);
        try
        {
            var result = await _retries.ExecuteAsync(
                static async (ctx, call) => await call(ctx.CancellationToken).ConfigureAwait(false), context, call).ConfigureAwait(false);
            QdrantLog.Completed(_logger, operation, collection, Stopwatch.GetElapsedTime(started));
            return result;
        }
        catch (Exception e) when (IsCancellation(e) && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"Qdrant {operation} was cancelled.", e, cancellationToken);
        }
        catch (Exception e) when (IsCancellation(e) && timeout.IsCancellationRequested)
        {
            throw Failure($"Qdrant did not complete {operation} within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (retries included).", operation, collection, null, null, e);
        }
        catch (RpcException e)
        {
            var detail = string.IsNullOrWhiteSpace(e.Status.Detail) ? "no message" : e.Status.Detail;
            var message = e.StatusCode == StatusCode.Unavailable
                ? $"Qdrant could not be reached or is unavailable for {operation} (Unavailable): {detail}{_hint}"
                : $"Qdrant {operation} failed with {e.StatusCode}: {detail}{_hint}";
            throw Failure(message, operation, collection, e.StatusCode, e.Status.Detail, e);
        }
        catch (QdrantException e)
        {
            // Qdrant.Client raises this when the server answers a create or delete with result: false.
            throw Failure($"Qdrant {operation} failed: {e.Message}", operation, collection, null, e.Message, e);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    internal static QdrantVectorStoreException Failure(
        string message, string operation, string? collection, StatusCode? status, string? error, Exception? inner) =>
        inner is null
            ? new QdrantVectorStoreException(message)
            {
                VectorStoreSystemName = SystemName, CollectionName = collection, OperationName = operation, StatusCode = status, QdrantError = error,
            }
            : new QdrantVectorStoreException(message, inner)
            {
                VectorStoreSystemName = SystemName, CollectionName = collection, OperationName = operation, StatusCode = status, QdrantError = error,
            };

    /// <summary>The server's <c>retry-after</c> trailer (seconds) when given; null lets the backoff decide.</summary>
    internal static TimeSpan? RetryAfter(RpcException? failure)
    {
        var value = failure?.Trailers.GetValue("retry-after");
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds)
            ? TimeSpan.FromSeconds(Math.Clamp(seconds, 0, TimeSpan.FromHours(1).TotalSeconds))
            : null;
    }

    private static bool IsCancellation(Exception e) =>
        e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled };

    private static ResiliencePipeline BuildRetries(QdrantVectorStoreOptions options, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder();
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.Timeout,
                ShouldHandle = new PredicateBuilder().Handle<RpcException>(e => e.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted),
                DelayGenerator = static args => ValueTask.FromResult(RetryAfter(args.Outcome.Exception as RpcException)),
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is RpcException e)
                    {
                        QdrantLog.Retrying(logger, e.StatusCode, args.Context.OperationKey ?? "request", args.AttemptNumber + 1, args.RetryDelay);
                    }

                    return ValueTask.CompletedTask;
                },
            });
        }

        return builder.Build();
    }
}
