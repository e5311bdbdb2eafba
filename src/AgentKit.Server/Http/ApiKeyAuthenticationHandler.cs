using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentKit.Server.Http;

/// <summary>
/// The <see cref="AgentKitServerDefaults.ApiKeyScheme"/> authentication scheme: a key from
/// <see cref="AgentKitServerOptions.ApiKeys"/> sent as <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key</c>,
/// compared in constant time. The caller's name identifier is <c>key:</c> and the key's SHA-256, so the key itself
/// never sits in a session record, a limiter partition or a log.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<AgentKitServerOptions> serverOptions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    /// <summary>The claim holding the first 12 hex digits of the key's SHA-256: the key's id in logs.</summary>
    public const string KeyIdClaim = "agentkit:api_key_id";

    private readonly byte[][] _keys = [.. serverOptions.Value.ApiKeys.Select(Encoding.UTF8.GetBytes)];

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? presented = null;
        var authorization = Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization["Bearer ".Length..].Trim();
        }
        else if (Request.Headers.TryGetValue("X-Api-Key", out var header))
        {
            presented = header.ToString();
        }

        if (_keys.Length == 0 || string.IsNullOrEmpty(presented))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presentedBytes = Encoding.UTF8.GetBytes(presented);
        var match = false;
        foreach (var key in _keys)
        {
            // Every key is compared, so the time taken does not tell which key (or how much of one) matched.
            match |= CryptographicOperations.FixedTimeEquals(presentedBytes, key);
        }

        if (!match)
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not one of AgentKit:Server:ApiKeys."));
        }

        var hash = Convert.ToHexString(SHA256.HashData(presentedBytes));
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, "key:" + hash), new Claim(KeyIdClaim, hash[..12])],
            Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }
}
