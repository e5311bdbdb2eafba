using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace ShopBot.Web;

/// <summary>
/// The web chat's sign-in, an ASP.NET Core cookie authentication scheme (<see cref="Scheme"/>).
/// <c>POST /api/signin</c> gives the browser a customer identity (<c>web:</c> and a random id, the principal's
/// <see cref="ClaimTypes.NameIdentifier"/>) in an HttpOnly, SameSite=Strict cookie protected by ASP.NET Core data
/// protection, whose keys live in the data folder (<c>keys/</c>) so sign-ins survive a restart and cannot be made up.
/// AgentKit's API (<c>MapAgentKit()</c>) accepts the scheme, so each customer owns the sessions they start and gets
/// 404 for anyone else's. Sign-ins are limited per client address (<see cref="WebChatOptions.SignInsPerWindow"/>).
/// </summary>
public static class CustomerSignIn
{
    /// <summary>The authentication scheme's name.</summary>
    public const string Scheme = "ShopBotCustomer";

    /// <summary>The sign-in cookie's name.</summary>
    public const string CookieName = "shopbot.customer";

    /// <summary>The rate-limiting policy on <c>POST /api/signin</c>.</summary>
    public const string SignInPolicy = "shopbot-signin";

    /// <summary>The prefix of a web customer's name identifier (and so of the sessions' owner).</summary>
    public const string CustomerPrefix = "web:";

    private const int IdBytes = 18;

    /// <summary>Registers the scheme, its data-protection keys under <paramref name="dataDirectory"/> and the sign-in limit.</summary>
    /// <param name="services">The services.</param>
    /// <param name="dataDirectory">ShopBot's data folder.</param>
    /// <param name="options">The sign-in settings.</param>
    /// <returns>The services.</returns>
    /// <exception cref="InvalidOperationException">An option is out of range; the message names the key.</exception>
    public static IServiceCollection AddCustomerSignIn(this IServiceCollection services, string dataDirectory, WebChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        options.Validate();

        // The keys sign and encrypt every cookie: readable by ShopBot's user only.
        var keys = Path.Combine(dataDirectory, "keys");
        var folder = OperatingSystem.IsWindows() ? Directory.CreateDirectory(keys) : Directory.CreateDirectory(keys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        services.AddDataProtection().SetApplicationName("ShopBot").PersistKeysToFileSystem(folder);
        services.AddAuthentication().AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = CookieName;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = options.SignInLifetime;
            cookie.SlidingExpiration = true;

            // An API without a login page: refusals are status codes, not redirects.
            cookie.Events.OnRedirectToLogin = context => SetStatus(context.Response, StatusCodes.Status401Unauthorized);
            cookie.Events.OnRedirectToAccessDenied = context => SetStatus(context.Response, StatusCodes.Status403Forbidden);
        });
        services.AddRateLimiter(limiter => limiter.AddPolicy(SignInPolicy, new SignInLimit(options)));
        return services;
    }

    /// <summary>Maps <c>POST /api/signin</c>: signs the browser in (201), or keeps its valid sign-in (200).</summary>
    /// <param name="endpoints">The routes.</param>
    /// <returns>The sign-in endpoint.</returns>
    public static RouteHandlerBuilder MapCustomerSignIn(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        Func<HttpContext, Task<IResult>> signIn = SignInAsync;
        return endpoints.MapPost("/api/signin", signIn).RequireRateLimiting(SignInPolicy);
    }

    private static async Task<IResult> SignInAsync(HttpContext http)
    {
        // Signing in again must not cost a returning customer their conversations.
        var current = await http.AuthenticateAsync(Scheme).ConfigureAwait(false);
        if (current.Succeeded && current.Principal.FindFirstValue(ClaimTypes.NameIdentifier) is { } known)
        {
            return Results.Json(new { customer = known });
        }

        var customer = CustomerPrefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(IdBytes));
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, customer)], Scheme));
        await http.SignInAsync(Scheme, principal, new AuthenticationProperties { IsPersistent = true }).ConfigureAwait(false);
        return Results.Json(new { customer }, statusCode: StatusCodes.Status201Created);
    }

    private static Task SetStatus(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }

    /// <summary>Sign-ins per client address in a fixed window; a refusal is 429 with <c>Retry-After</c> in seconds.</summary>
    private sealed class SignInLimit(WebChatOptions options) : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = async (rejected, _) =>
        {
            var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                : (int)Math.Ceiling(options.Window.TotalSeconds);
            rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await Results.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "too many sign-ins",
                detail: $"Too many sign-ins from this address; try again in {seconds} seconds.").ExecuteAsync(rejected.HttpContext).ConfigureAwait(false);
        };

        public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
            RateLimitPartition.GetFixedWindowLimiter(
                httpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.SignInsPerWindow, Window = options.Window, QueueLimit = 0, AutoReplenishment = true });
    }
}
