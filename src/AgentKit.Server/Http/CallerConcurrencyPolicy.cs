using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace AgentKit.Server.Http;

/// <summary>
/// The API's rate-limiting policy: at most <see cref="AgentKitServerOptions.MaxConcurrentRunsPerKey"/> requests
/// running at once per caller (the authenticated owner, or the client address without authentication), no queue;
/// more get 429 with <c>Retry-After</c>. ASP.NET Core's partitioned limiter drops the partitions of callers that
/// have been idle for a while, so the table is bounded by the callers active at once.
/// </summary>
internal sealed class CallerConcurrencyPolicy(IOptions<AgentKitServerOptions> options) : IRateLimiterPolicy<string>
{
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = async (rejected, _) =>
    {
        var context = rejected.HttpContext;
        ServerTelemetry.Reject((context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText, "concurrency");
        await ApiProblem.Create(
            StatusCodes.Status429TooManyRequests,
            "too_many_concurrent_requests",
            $"At most {options.Value.MaxConcurrentRunsPerKey} requests may run at once per caller; retry when one has finished.",
            headers: new Dictionary<string, string> { ["Retry-After"] = "1" }).ExecuteAsync(context).ConfigureAwait(false);
    };

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        var caller = ApiCaller.Owner(httpContext) ?? "address:" + (httpContext.Connection.RemoteIpAddress?.ToString() ?? "local");
        var limit = options.Value.MaxConcurrentRunsPerKey;
        return RateLimitPartition.GetConcurrencyLimiter(caller, _ => new ConcurrencyLimiterOptions { PermitLimit = limit, QueueLimit = 0 });
    }
}
