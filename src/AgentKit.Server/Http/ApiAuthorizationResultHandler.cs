using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace AgentKit.Server.Http;

/// <summary>
/// Answers a refused AgentKit API request as problem details (401 <c>invalid_api_key</c>, 403 <c>forbidden</c>)
/// instead of each scheme's own challenge; other endpoints get ASP.NET Core's default behaviour.
/// </summary>
internal sealed class ApiAuthorizationResultHandler(IOptions<AgentKitServerOptions> options) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<AgentKitApiMetadata>() is null || authorizeResult.Succeeded)
        {
            return _default.HandleAsync(next, context, policy, authorizeResult);
        }

        var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText;
        if (authorizeResult.Forbidden)
        {
            ServerTelemetry.Reject(route, "forbidden");
            return ApiProblem.Create(StatusCodes.Status403Forbidden, "forbidden", "The caller is signed in but may not use this API.").ExecuteAsync(context);
        }

        ServerTelemetry.Reject(route, "unauthorized");
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ApiProblem.Create(StatusCodes.Status401Unauthorized, "invalid_api_key", UnauthorizedDetail(options.Value)).ExecuteAsync(context);
    }

    /// <summary>What the caller can do: send a key, sign in with the application's own scheme, or either.</summary>
    private static string UnauthorizedDetail(AgentKitServerOptions server)
    {
        const string Key = "send a valid API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'";
        return server.AuthenticationSchemes.Count == 0 ? $"A valid API key is required: {Key}."
            : server.ApiKeys.Count == 0 ? "Sign in first: this API needs a signed-in user."
            : $"Sign in first, or {Key}.";
    }
}
