using AgentKit.Abstractions.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace AgentKit.Server.Http;

/// <summary>
/// Counts the API requests running (<c>agentkit.server.requests.active</c>) and logs each under a scope naming the
/// caller's key id (never the key) and the session it addresses.
/// </summary>
internal sealed class ApiRequestScope(ILogger<ApiRequestScope> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var keyId = context.User.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim)?.Value ?? "-";
        using var logScope = RequestScope(logger, keyId, SessionId(context) ?? "-");
        var routeTag = new KeyValuePair<string, object?>(TelemetryAttributes.HttpRoute, (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText);
        ServerTelemetry.Active.Add(1, routeTag);
        try
        {
            return await next(invocation).ConfigureAwait(false);
        }
        finally
        {
            ServerTelemetry.Active.Add(-1, routeTag);
        }
    }

    /// <summary>The session a <c>/api/sessions/{id}…</c> request addresses.</summary>
    private static string? SessionId(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api/sessions", StringComparison.Ordinal) && context.Request.RouteValues.TryGetValue("id", out var id) ? id as string : null;

    private static readonly Func<ILogger, string, string, IDisposable?> RequestScopeFormat =
        LoggerMessage.DefineScope<string, string>("ApiKeyId:{ApiKeyId} SessionId:{SessionId}");

    private static IDisposable? RequestScope(ILogger logger, string apiKeyId, string sessionId) => RequestScopeFormat(logger, apiKeyId, sessionId);
}
