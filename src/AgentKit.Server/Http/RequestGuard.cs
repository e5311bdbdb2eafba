using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AgentKit.Hosting.Admission;
using AgentKit.Abstractions.Diagnostics;
using AgentKit.Hosting.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentKit.Server.Http;

/// <summary>
/// Wraps every API endpoint: API-key authentication, the body-size limit, the per-key concurrency limit, the request
/// timeout, and turning failures into problem details (never a stack trace on the wire).
/// </summary>
internal sealed partial class RequestGuard(IOptions<AgentKitServerOptions> options, ILogger<RequestGuard> logger) : IEndpointFilter
{
    private const string TimeoutItem = "AgentKit.RequestTimeout";
    private const string OwnerItem = "AgentKit.Owner";

    // Requests running per caller; a caller with none has no entry, so the table holds at most one entry per
    // running request however many distinct callers come and go.
    private readonly Dictionary<string, int> _running = new(StringComparer.Ordinal);
    private readonly Lock _runningLock = new();

    /// <summary>Callers with a request running now (the size of the concurrency table).</summary>
    internal int TrackedCallers
    {
        get
        {
            lock (_runningLock)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>The request's cancellation: client disconnect or the configured timeout.</summary>
    public static CancellationToken Cancellation(HttpContext context) =>
        context.Items[TimeoutItem] is CancellationTokenSource cts ? cts.Token : context.RequestAborted;

    /// <summary>
    /// Who is calling, as session owners are recorded: <c>key:</c> and the SHA-256 of the API key, or
    /// <see langword="null"/> when the server has no API keys (local use: every caller sees every session).
    /// </summary>
    public static string? Owner(HttpContext context) => context.Items[OwnerItem] as string;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var settings = options.Value;
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        if (!TryAuthenticate(context, settings, out var caller))
        {
            ServerTelemetry.Reject(route, "unauthorized");
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return ApiProblem.Create(StatusCodes.Status401Unauthorized, "invalid_api_key", "A valid API key is required: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.");
        }

        if (settings.ApiKeys.Count > 0)
        {
            context.Items[OwnerItem] = "key:" + caller;
        }

        if (context.Request.ContentLength > settings.MaxRequestBodyBytes)
        {
            ServerTelemetry.Reject(route, "too_large");
            return TooLarge(settings);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = settings.MaxRequestBodyBytes;
        }

        if (!TryEnter(caller, settings.MaxConcurrentRunsPerKey))
        {
            ServerTelemetry.Reject(route, "concurrency");
            return ApiProblem.Create(
                StatusCodes.Status429TooManyRequests,
                "too_many_concurrent_requests",
                $"At most {settings.MaxConcurrentRunsPerKey} requests may run at once per API key; retry when one has finished.",
                headers: new Dictionary<string, string> { ["Retry-After"] = "1" });
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(settings.RequestTimeout);
        context.Items[TimeoutItem] = timeout;
        // The key's id is the first 12 hex digits of its SHA-256 (the limiter's bucket), never the key.
        using var logScope = Log.RequestScope(logger, settings.ApiKeys.Count == 0 ? "-" : caller[..12], SessionId(context) ?? "-");
        var routeTag = new KeyValuePair<string, object?>(TelemetryAttributes.HttpRoute, route);
        ServerTelemetry.Active.Add(1, routeTag);
        try
        {
            return await next(invocation).ConfigureAwait(false);
        }
        catch (ApiProblemException problem)
        {
            return problem.ToResult();
        }
        catch (ModelBusyException busy)
        {
            ServerTelemetry.Reject(route, "model_busy");
            var seconds = Math.Max(1, (int)Math.Ceiling(busy.RetryAfter.TotalSeconds));
            return ApiProblem.Create(
                StatusCodes.Status429TooManyRequests,
                "model_busy",
                busy.Message,
                headers: new Dictionary<string, string> { ["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture) });
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(settings);
        }
        catch (ModelEndpointException e)
        {
            // The upstream model failed, not this server: 504 when it timed out, else 502, with what failed but not
            // the upstream address.
            Log.Failed(logger, context.Request.Path, e);
            var status = e.Failure == ModelEndpointFailure.Timeout ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway;
            return ApiProblem.Create(status, "model_unavailable", $"The model '{e.ModelName}' failed: {e.Reason}.");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            ServerTelemetry.Reject(route, "timeout");
            return ApiProblem.Create(StatusCodes.Status504GatewayTimeout, "request_timeout", $"The request did not finish within {settings.RequestTimeout.TotalSeconds:0} seconds.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.Failed(logger, context.Request.Path, e);
            return ApiProblem.Create(StatusCodes.Status500InternalServerError, "internal_error", $"The request failed: {e.GetType().Name}. The server log has the details.");
        }
        finally
        {
            ServerTelemetry.Active.Add(-1, routeTag);
            context.Items.Remove(TimeoutItem);
            Exit(caller);
        }
    }

    private bool TryEnter(string caller, int limit)
    {
        lock (_runningLock)
        {
            _running.TryGetValue(caller, out var running);
            if (running >= limit)
            {
                return false;
            }

            _running[caller] = running + 1;
            return true;
        }
    }

    private void Exit(string caller)
    {
        lock (_runningLock)
        {
            var running = _running[caller] - 1;
            if (running == 0)
            {
                _running.Remove(caller);
            }
            else
            {
                _running[caller] = running;
            }
        }
    }

    /// <summary>The session a <c>/api/sessions/{id}…</c> request addresses, for the log scope.</summary>
    private static string? SessionId(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api/sessions", StringComparison.Ordinal) && context.Request.RouteValues.TryGetValue("id", out var id) ? id as string : null;

    private static IResult TooLarge(AgentKitServerOptions settings) =>
        ApiProblem.Create(StatusCodes.Status413PayloadTooLarge, "request_too_large", $"The request body is larger than the limit of {settings.MaxRequestBodyBytes} bytes.");

    private static bool TryAuthenticate(HttpContext context, AgentKitServerOptions settings, out string caller)
    {
        if (settings.ApiKeys.Count == 0)
        {
            caller = context.Connection.RemoteIpAddress?.ToString() ?? "local";
            return true;
        }

        caller = string.Empty;
        string? presented = null;
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization["Bearer ".Length..].Trim();
        }
        else if (context.Request.Headers.TryGetValue("X-Api-Key", out var header))
        {
            presented = header.ToString();
        }

        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        var presentedBytes = Encoding.UTF8.GetBytes(presented);
        foreach (var key in settings.ApiKeys)
        {
            if (CryptographicOperations.FixedTimeEquals(presentedBytes, Encoding.UTF8.GetBytes(key)))
            {
                // The limiter's bucket is a hash of the key, so keys never sit in memory dictionaries or logs.
                caller = Convert.ToHexString(SHA256.HashData(presentedBytes));
                return true;
            }
        }

        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Request {Path} failed")]
        public static partial void Failed(ILogger logger, PathString path, Exception exception);

        private static readonly Func<ILogger, string, string, IDisposable?> RequestScopeFormat =
            LoggerMessage.DefineScope<string, string>("ApiKeyId:{ApiKeyId} SessionId:{SessionId}");

        public static IDisposable? RequestScope(ILogger logger, string apiKeyId, string sessionId) => RequestScopeFormat(logger, apiKeyId, sessionId);
    }
}
