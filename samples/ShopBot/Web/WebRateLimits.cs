using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace ShopBot.Web;

/// <summary>
/// The web chat's rate limits on ASP.NET Core's rate limiter: sign-ins per client address, API requests per
/// signed-in client (per address without a valid token). A refused request gets 429 with <c>Retry-After</c> in
/// seconds and a problem body.
/// </summary>
public static class WebRateLimits
{
    /// <summary>The policy on <c>POST /api/signin</c>.</summary>
    public const string SignInPolicy = "shopbot-signin";

    /// <summary>The policy on <c>/api/sessions…</c>.</summary>
    public const string ChatPolicy = "shopbot-chat";

    /// <summary>Registers both policies.</summary>
    /// <param name="services">The services.</param>
    /// <param name="options">The limits.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddWebChatRateLimits(this IServiceCollection services, WebChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(SignInPolicy, context => RateLimitPartition.GetFixedWindowLimiter("ip:" + Address(context), _ => Window(options.SignInsPerWindow, options.Window)));
            limiter.AddPolicy(ChatPolicy, context =>
            {
                var client = context.RequestServices.GetRequiredService<WebSignIn>().ClientOf(context) ?? "ip:" + Address(context);
                return RateLimitPartition.GetFixedWindowLimiter(client, _ => Window(options.RequestsPerWindow, options.Window));
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                    : (int)Math.Ceiling(options.Window.TotalSeconds);
                var response = rejected.HttpContext.Response;
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "too many requests",
                    detail: $"Too many requests from this client; try again in {seconds} seconds.").ExecuteAsync(rejected.HttpContext).ConfigureAwait(false);
            };
        });
    }

    private static FixedWindowRateLimiterOptions Window(int permits, TimeSpan window) =>
        new() { PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true };

    private static string Address(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
