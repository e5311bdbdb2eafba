using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentKit.Server.Http;

/// <summary>
/// Answers a refused AgentKit API request as problem details (401 <c>invalid_api_key</c>, 403 <c>forbidden</c>)
/// instead of each scheme's own challenge; other endpoints get ASP.NET Core's default behaviour.
/// </summary>
internal sealed class ApiAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
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
        return ApiProblem.Create(StatusCodes.Status401Unauthorized, "invalid_api_key", "A valid API key is required: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.")
            .ExecuteAsync(context);
    }
}
