using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ShopBot.Data;
using ShopBot.Tools;
using ShopBot.Web;

namespace ShopBot.Tests;

/// <summary>
/// The web chat on AgentKit's API (<c>MapAgentKit()</c>) with ShopBot's cookie sign-in as its authentication scheme:
/// a whole return over the session API and its server-sent events, sessions that belong to the signed-in customer,
/// the per-customer rate limit, and the verification lockout that counts only the requester's own failures.
/// </summary>
public sealed class WebChatSecurityTests
{
    [Fact]
    public async Task SignedInCustomer_CompletesAReturn_OverTheSessionApiAndItsEvents()
    {
        await using var shop = await TestShop.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        using var emma = await WebCustomer.SignInAsync(shop);
        var id = await emma.CreateSessionAsync();
        shop.Model.VerifyAndReturnJeans()
            .CallWithLastRma(ToolNames.RequestLabel)
            .CallWithLastRma(ToolNames.EmailLabel)
            .Say("Done! Your return label is on its way to your inbox.");

        var events = await emma.SendAsync(id, "SB-10421, emma.larsen@example.com: the jeans, unused, too small. Please e-mail the label.");

        Assert.Equal("run_started", events[0].Type);
        Assert.Equal("run_completed", events[^1].Type);
        Assert.All(events, e => Assert.Equal(e.Type, e.Data.GetProperty("type").GetString()));
        var results = events.Where(e => e.Type == "tool_result").Select(e => e.Data).ToList();
        Assert.Equal([ToolNames.VerifyCustomer, ToolNames.CreateReturn, ToolNames.RequestLabel, ToolNames.EmailLabel], results.Select(r => r.GetProperty("toolName").GetString()));
        Assert.All(results, r => Assert.Equal("Succeeded", r.GetProperty("status").GetString()));
        Assert.Contains("on its way", string.Concat(events.Where(e => e.Type == "text_delta").Select(e => e.Data.GetProperty("text").GetString())), StringComparison.Ordinal);

        // The return is processed: stored with its label, and the label mailed to the order's address.
        var rma = JsonDocument.Parse(results[1].GetProperty("result").GetString()!).RootElement.GetProperty("rma").GetString()!;
        var stored = await shop.Returns.FindAsync(rma, ct);
        Assert.NotNull(stored);
        Assert.Equal(id, stored.SessionId);
        Assert.Equal(Assert.Single(shop.App.CarrierLabels!.Labels).TrackingNumber, stored.Label?.TrackingNumber);
        Assert.Equal("emma.larsen@example.com", stored.EmailedTo);
        Assert.Equal(["emma.larsen@example.com"], Assert.Single(shop.App.MailSink!.Messages).Recipients);

        // The session is the customer's: its owner is her sign-in, and its history is the conversation.
        using var session = JsonDocument.Parse(await emma.Http.GetStringAsync(new Uri($"/api/sessions/{id}", UriKind.Relative), ct));
        Assert.Equal(emma.Customer, session.RootElement.GetProperty("session").GetProperty("owner").GetString());
        Assert.StartsWith(CustomerSignIn.CustomerPrefix, emma.Customer, StringComparison.Ordinal);
        Assert.Equal(0, shop.Model.Pending);
    }

    [Fact]
    public async Task Api_WithoutSignIn_Is401_AndAnotherCustomersSessionIs404()
    {
        await using var shop = await TestShop.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        using var emma = await WebCustomer.SignInAsync(shop);
        var id = await emma.CreateSessionAsync();
        shop.Model.Call(ToolNames.VerifyCustomer, ("orderNumber", "SB-10421"), ("email", "emma.larsen@example.com")).Say("You are verified, Emma.");
        await emma.SendAsync(id, "SB-10421, emma.larsen@example.com");

        // No cookie, and a made-up one.
        using var anonymous = WebCustomer.Anonymous(shop);
        using var forged = WebCustomer.Anonymous(shop);
        forged.DefaultRequestHeaders.Add("Cookie", $"{CustomerSignIn.CookieName}=CfDJ8made-up-value");
        foreach (var http in new[] { anonymous, forged })
        {
            using var created = await http.PostAsJsonAsync(new Uri("/api/sessions", UriKind.Relative), new { agent = "shopbot" }, ct);
            Assert.Equal(HttpStatusCode.Unauthorized, created.StatusCode);
            using var read = await http.GetAsync(new Uri($"/api/sessions/{id}", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
            Assert.Contains("Sign in first", await read.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        // Another signed-in visitor who learnt the session id: neither listed, readable, continued nor deleted.
        using var mallory = await WebCustomer.SignInAsync(shop);
        using (var read = await mallory.Http.GetAsync(new Uri($"/api/sessions/{id}", UriKind.Relative), ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
            Assert.DoesNotContain("emma", await read.Content.ReadAsStringAsync(ct), StringComparison.OrdinalIgnoreCase);
        }

        using (var posted = await mallory.Http.PostAsJsonAsync(new Uri($"/api/sessions/{id}/messages", UriKind.Relative), new { content = "Show me the order details and e-mail the label to mallory@example.net" }, ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, posted.StatusCode);
        }

        using (var deleted = await mallory.Http.DeleteAsync(new Uri($"/api/sessions/{id}", UriKind.Relative), ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, deleted.StatusCode);
        }

        using (var list = JsonDocument.Parse(await mallory.Http.GetStringAsync(new Uri("/api/sessions", UriKind.Relative), ct)))
        {
            Assert.Equal(0, list.RootElement.GetArrayLength());
        }

        Assert.Equal(0, shop.Model.Pending);
        Assert.DoesNotContain(shop.Model.Client.Calls, c => c.Messages.Any(m => m.Text.Contains("mallory", StringComparison.Ordinal)));
        using var own = JsonDocument.Parse(await emma.Http.GetStringAsync(new Uri($"/api/sessions/{id}", UriKind.Relative), ct));
        Assert.Contains(own.RootElement.GetProperty("messages").EnumerateArray(), m => m.GetProperty("role").GetString() == "assistant");
    }

    [Fact]
    public async Task SigningInAgain_KeepsTheCustomer_AndTheModelIsReachableOnlyThroughTheAgent()
    {
        await using var shop = await TestShop.StartAsync(useModelFromConfiguration: true, settings: new Dictionary<string, string?>
        {
            // A remote model that is never called: the test asks only what the API offers.
            ["AgentKit:Models:remote:Provider"] = "OpenAI",
            ["AgentKit:Models:remote:Endpoint"] = "http://127.0.0.1:9/v1",
            ["AgentKit:Models:remote:ApiKey"] = "unused",
            ["AgentKit:Models:remote:Model"] = "m",
        });
        var ct = TestContext.Current.CancellationToken;
        using var emma = await WebCustomer.SignInAsync(shop);

        using (var again = await emma.Http.PostAsync(new Uri("/api/signin", UriKind.Relative), null, ct))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(emma.Customer, JsonDocument.Parse(await again.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("customer").GetString());
        }

        using var models = JsonDocument.Parse(await emma.Http.GetStringAsync(new Uri("/v1/models", UriKind.Relative), ct));
        Assert.Equal(["shopbot"], models.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        using var direct = await emma.Http.PostAsJsonAsync(new Uri("/v1/chat/completions", UriKind.Relative), new { model = "remote", messages = new[] { new { role = "user", content = "Write me a poem." } } }, ct);
        Assert.Equal(HttpStatusCode.NotFound, direct.StatusCode);
    }

    [Fact]
    public async Task Customer_OverTheRateLimit_Gets429WithRetryAfter_WhileOthersGoOn()
    {
        await using var shop = await TestShop.StartAsync(settings: new Dictionary<string, string?>
        {
            ["AgentKit:Server:MaxRequestsPerWindow"] = "3",
            ["AgentKit:Server:RequestWindow"] = "00:10:00",
            ["ShopBot:Web:SignInsPerWindow"] = "3",
            ["ShopBot:Web:Window"] = "00:10:00",
        });
        var ct = TestContext.Current.CancellationToken;
        using var busy = await WebCustomer.SignInAsync(shop);
        using var calm = await WebCustomer.SignInAsync(shop);
        var id = await busy.CreateSessionAsync();
        for (var i = 0; i < 2; i++)
        {
            using var ok = await busy.Http.GetAsync(new Uri($"/api/sessions/{id}", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var limited = await busy.Http.GetAsync(new Uri($"/api/sessions/{id}", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var retryAfter = Assert.Single(limited.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, 600);
        using var problem = JsonDocument.Parse(await limited.Content.ReadAsStringAsync(ct));
        Assert.Equal("too_many_requests", problem.RootElement.GetProperty("error").GetProperty("code").GetString());

        // The limit is per customer: another signed-in browser is not affected.
        await calm.CreateSessionAsync();

        // Sign-ins are limited per address: a third is fine, the fourth is refused.
        using var third = await WebCustomer.SignInAsync(shop);
        using var anonymous = WebCustomer.Anonymous(shop);
        using var signIn = await anonymous.PostAsync(new Uri("/api/signin", UriKind.Relative), null, ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, signIn.StatusCode);
        Assert.True(signIn.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task SignIn_SurvivesARestart_WithItsSessions()
    {
        var root = Path.Combine(Path.GetTempPath(), "shopbot-tests", Guid.NewGuid().ToString("N"));
        var ct = TestContext.Current.CancellationToken;
        string cookie, id;
        await using (var first = await TestShop.StartAsync(root: root, keepFiles: true))
        {
            using var emma = await WebCustomer.SignInAsync(first);
            id = await emma.CreateSessionAsync();
            cookie = emma.Cookie;
        }

        await using var second = await TestShop.StartAsync(root: root);
        using var again = WebCustomer.Anonymous(second);
        again.DefaultRequestHeaders.Add("Cookie", cookie);
        using var read = await again.GetAsync(new Uri($"/api/sessions/{id}", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
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
