using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ShopBot.Data;
using ShopBot.Tools;

namespace ShopBot.Tests;

/// <summary>
/// The web chat API: sign-in tokens, sessions that belong to the token, the per-client rate limit, and the
/// verification lockout that counts only the requester's own failures.
/// </summary>
public sealed class WebChatSecurityTests
{
    private static HttpClient Client(TestShop shop, string? token = null)
    {
        var http = new HttpClient { BaseAddress = shop.App.Url };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    private static async Task<string> SignInAsync(HttpClient http)
    {
        using var response = await http.PostAsync(new Uri("/api/signin", UriKind.Relative), null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return body.RootElement.GetProperty("token").GetString()!;
    }

    private static async Task<string> CreateSessionAsync(HttpClient http)
    {
        using var response = await http.PostAsync(new Uri("/api/sessions", UriKind.Relative), null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return body.RootElement.GetProperty("sessionId").GetString()!;
    }

    [Fact]
    public async Task Api_WithoutAValidToken_Is401_AndAnotherClientsSessionIs404()
    {
        await using var shop = await TestShop.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = Client(shop);
        var emmaToken = await SignInAsync(anonymous);
        using var emma = Client(shop, emmaToken);
        var id = await CreateSessionAsync(emma);
        shop.Model.Call(ToolNames.VerifyCustomer, ("orderNumber", "SB-10421"), ("email", "emma.larsen@example.com")).Say("You are verified, Emma.");
        using (var posted = await emma.PostAsJsonAsync(new Uri($"/api/sessions/{id}/messages", UriKind.Relative), new { text = "SB-10421, emma.larsen@example.com" }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
            await posted.Content.ReadAsStringAsync(ct);
        }

        // No token, and a forged one (a made-up id with another token's signature).
        var forged = "AAAAAAAAAAAAAAAAAAAAAAAA" + emmaToken[emmaToken.IndexOf('.', StringComparison.Ordinal)..];
        foreach (var token in new string?[] { null, forged, "not-a-token" })
        {
            using var http = Client(shop, token);
            using var created = await http.PostAsync(new Uri("/api/sessions", UriKind.Relative), null, ct);
            Assert.Equal(HttpStatusCode.Unauthorized, created.StatusCode);
            using var read = await http.GetAsync(new Uri($"/api/sessions/{id}", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        }

        // Another signed-in visitor who learnt the session id.
        using var mallory = Client(shop, await SignInAsync(anonymous));
        using (var read = await mallory.GetAsync(new Uri($"/api/sessions/{id}", UriKind.Relative), ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
            Assert.DoesNotContain("emma", await read.Content.ReadAsStringAsync(ct), StringComparison.OrdinalIgnoreCase);
        }

        using (var posted = await mallory.PostAsJsonAsync(new Uri($"/api/sessions/{id}/messages", UriKind.Relative), new { text = "Show me the order details and e-mail the label to mallory@example.net" }, ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, posted.StatusCode);
        }

        Assert.Equal(0, shop.Model.Pending);
        Assert.DoesNotContain(shop.Model.Client.Calls, c => c.Messages.Any(m => m.Text.Contains("mallory", StringComparison.Ordinal)));
        using var own = JsonDocument.Parse(await emma.GetStringAsync(new Uri($"/api/sessions/{id}", UriKind.Relative), ct));
        Assert.Equal(2, own.RootElement.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task Client_OverTheRateLimit_Gets429WithRetryAfter_WhileOthersGoOn()
    {
        await using var shop = await TestShop.StartAsync(settings: new Dictionary<string, string?>
        {
            ["ShopBot:Web:RequestsPerWindow"] = "3",
            ["ShopBot:Web:SignInsPerWindow"] = "3",
            ["ShopBot:Web:Window"] = "00:10:00",
        });
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = Client(shop);
        using var busy = Client(shop, await SignInAsync(anonymous));
        using var calm = Client(shop, await SignInAsync(anonymous));
        var id = await CreateSessionAsync(busy);
        for (var i = 0; i < 2; i++)
        {
            using var ok = await busy.GetAsync(new Uri($"/api/sessions/{id}", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var limited = await busy.GetAsync(new Uri($"/api/sessions/{id}", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var retryAfter = Assert.Single(limited.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, 600);
        Assert.Contains("Too many requests", await limited.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        // The limit is per client: another signed-in browser is not affected.
        await CreateSessionAsync(calm);

        // Sign-ins are limited per address: a third is fine, the fourth is refused.
        await SignInAsync(anonymous);
        using var signIn = await anonymous.PostAsync(new Uri("/api/signin", UriKind.Relative), null, ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, signIn.StatusCode);
        Assert.True(signIn.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task FailedVerifications_LockOutOnlyTheRequester_NotTheCustomer()
    {
        await using var shop = await TestShop.StartAsync();
        var ct = TestContext.Current.CancellationToken;

        // An attacker fails five times for Emma's order over two conversations (3 + 2), then tries again.
        for (var conversation = 0; conversation < 3; conversation++)
        {
            var session = await shop.Runner.CreateSessionAsync(Agent.ShopBotAgent.Name, "web:attacker", ct);
            var guesses = conversation switch { 0 => 3, 1 => 2, _ => 1 };
            for (var i = 0; i < guesses; i++)
            {
                shop.Model.Call(ToolNames.VerifyCustomer, ("orderNumber", "SB-10421"), ("email", $"guess{conversation}{i}@example.com"));
            }

            shop.Model.Say("Sorry.");
            var result = await session.RunAsync("Verify me for SB-10421", ct);
            if (conversation == 2)
            {
                Assert.Contains("from you recently", result.ToolResults()[0].Json().GetProperty("message").GetString(), StringComparison.Ordinal);
                var audit = await shop.Support.ListAuditAsync(session.Id, ct);
                Assert.Single(audit, a => a.Reason == "order_locked_out" && a.Outcome == AuditOutcome.Refused);
            }
        }

        // Emma, in her own conversation, verifies at once: the attacker's failures do not count against her.
        var emma = await shop.Runner.CreateSessionAsync(Agent.ShopBotAgent.Name, "web:emma", ct);
        shop.Model.Call(ToolNames.VerifyCustomer, ("orderNumber", "SB-10421"), ("email", "emma.larsen@example.com")).Say("Verified.");
        var verified = await emma.RunAsync("SB-10421, emma.larsen@example.com", ct);
        Assert.True(verified.ToolResults()[0].Json().GetProperty("verified").GetBoolean());
    }
}
