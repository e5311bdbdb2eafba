using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentKit.Server.Tests;

/// <summary>
/// The API on ASP.NET Core authentication: API keys are one scheme among any the application adds, and the caller's
/// name identifier owns sessions whatever the scheme.
/// </summary>
public sealed class AuthenticationTests
{
    private const string SchemeName = "TestHeader";

    /// <summary>An application's own sign-in: the user named in <c>X-Test-User</c>; a name of "nameless" signs in without a name identifier.</summary>
    private sealed class HeaderUserHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers["X-Test-User"].ToString() is not { Length: > 0 } user)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            Claim[] claims = user == "nameless" ? [new Claim(ClaimTypes.Role, "customer")] : [new Claim(ClaimTypes.NameIdentifier, "user:" + user)];
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName)));
        }
    }

    private static Task<TestServer> StartAsync() => TestServer.StartAsync(
        new() { ["AgentKit:Server:AuthenticationSchemes:0"] = SchemeName },
        services => services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, HeaderUserHandler>(SchemeName, null));

    private static HttpClient User(TestServer server, string name)
    {
        var http = server.CreateHttpClient(withKey: false);
        http.DefaultRequestHeaders.Add("X-Test-User", name);
        return http;
    }

    private static async Task<List<string>> SessionIdsAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("api/sessions", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return [.. body.RootElement.EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];
    }

    [Fact]
    public async Task AnotherScheme_OwnsItsSessions_ApartFromOtherUsersAndApiKeys()
    {
        await using var server = await StartAsync();
        using var alice = User(server, "alice");
        using var bob = User(server, "bob");
        using var keyed = server.CreateHttpClient();
        var ct = TestContext.Current.CancellationToken;

        using var created = await alice.PostAsJsonAsync(new Uri("api/sessions", UriKind.Relative), new { agent = "helper" }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("id").GetString()!;

        Assert.Equal([id], await SessionIdsAsync(alice));
        Assert.Empty(await SessionIdsAsync(bob));
        Assert.Empty(await SessionIdsAsync(keyed));
        using var bobReads = await bob.GetAsync(new Uri($"api/sessions/{id}", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.NotFound, bobReads.StatusCode);
        using var aliceReads = await alice.GetAsync(new Uri($"api/sessions/{id}", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, aliceReads.StatusCode);
    }

    [Fact]
    public async Task NeitherSchemeSignsIn_Gets401ProblemWithBearerChallenge()
    {
        await using var server = await StartAsync();
        using var anonymous = server.CreateHttpClient(withKey: false);

        using var response = await anonymous.GetAsync(new Uri("api/sessions", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("invalid_api_key", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("authentication_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.StartsWith("Sign in first, or send a valid API key", body.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignedInWithoutANameIdentifier_IsRefusedNotGivenEverySession()
    {
        await using var server = await StartAsync();
        using var nameless = User(server, "nameless");

        using var response = await nameless.GetAsync(new Uri("api/sessions", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("internal_error", body.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task NoKeysAndNoSchemes_IsOpenForLocalUse()
    {
        await using var server = await TestServer.StartAsync(services: services => services.PostConfigure<AgentKitServerOptions>(o => o.ApiKeys.Clear()));
        using var anonymous = server.CreateHttpClient(withKey: false);

        using var response = await anonymous.GetAsync(new Uri("api/agents", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
