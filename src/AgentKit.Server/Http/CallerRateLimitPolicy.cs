using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace AgentKit.Server.Http;

/// <summary>
/// The API's rate-limiting policy, per caller (the authenticated owner, or the client address without
/// authentication): at most <see cref="AgentKitServerOptions.MaxConcurrentRunsPerKey"/> requests running at once and,
/// when <see cref="AgentKitServerOptions.MaxRequestsPerWindow"/> is set, at most that many per
/// <see cref="AgentKitServerOptions.RequestWindow"/>; no queue, more get 429 with <c>Retry-After</c>. ASP.NET Core's
/// partitioned limiter drops the partitions of callers that have been idle for a while, so the table is bounded by
/// the callers active at once.
/// </summary>
internal sealed class CallerRateLimitPolicy(IOptions<AgentKitServerOptions> options) : IRateLimiterPolicy<string>
{
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = async (rejected, _) =>
    {
        var context = rejected.HttpContext;
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        var server = options.Value;

        // Only the window's lease knows when a permit comes back; the concurrency limiter's never does.
        if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            ServerTelemetry.Reject(route, "rate");
            await ApiProblem.Create(
                StatusCodes.Status429TooManyRequests,
                "too_many_requests",
                $"At most {server.MaxRequestsPerWindow} requests per {server.RequestWindow.TotalSeconds:0} seconds per caller; try again in {seconds} seconds.",
                headers: new Dictionary<string, string> { ["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture) }).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        ServerTelemetry.Reject(route, "concurrency");
        await ApiProblem.Create(
            StatusCodes.Status429TooManyRequests,
            "too_many_concurrent_requests",
            $"At most {server.MaxConcurrentRunsPerKey} requests may run at once per caller; retry when one has finished.",
            headers: new Dictionary<string, string> { ["Retry-After"] = "1" }).ExecuteAsync(context).ConfigureAwait(false);
    };

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        var caller = ApiCaller.Owner(httpContext) ?? "address:" + (httpContext.Connection.RemoteIpAddress?.ToString() ?? "local");
        var server = options.Value;
        return RateLimitPartition.Get(caller, _ =>
        {
            var concurrency = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = server.MaxConcurrentRunsPerKey, QueueLimit = 0 });
            if (server.MaxRequestsPerWindow is not { } permits)
            {
                return concurrency;
            }

            // Concurrency first: a request refused for running too many at once does not use up a window permit.
            return RateLimiter.CreateChained(
                concurrency,
                new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = server.RequestWindow, QueueLimit = 0, AutoReplenishment = true }));
        });
    }
}
