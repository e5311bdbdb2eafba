using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace AgentKit.Server.Http;

/// <summary>Who is calling the API, as session and approval owners are recorded.</summary>
internal static class ApiCaller
{
    /// <summary>
    /// The authenticated caller's <see cref="ClaimTypes.NameIdentifier"/> (whatever the scheme), or
    /// <see langword="null"/> for an anonymous caller of a server without authentication (local use: every caller
    /// sees every session).
    /// </summary>
    /// <exception cref="InvalidOperationException">The caller is authenticated but the scheme gave no name identifier.</exception>
    public static string? Owner(HttpContext context)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        // Anything less stable would let one caller see another's sessions, or lose their own.
        return user.FindFirst(ClaimTypes.NameIdentifier)?.Value is { Length: > 0 } id
            ? id
            : throw new InvalidOperationException(
                $"The authentication scheme '{user.Identity.AuthenticationType}' signed the caller in without a '{ClaimTypes.NameIdentifier}' claim; AgentKit's server needs one to own sessions and approvals.");
    }
}
