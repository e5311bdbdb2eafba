using AgentKit.Agents;
using ShopBot.Data;
using ShopBot.Tools;

namespace ShopBot.Tests;

public sealed class UnhappyPathTests
{
    [Fact]
    public async Task UnknownOrder_IsReportedNotFound_AndCannotBeVerified()
    {
        await using var shop = await TestShop.StartAsync();
        var session = await shop.NewSessionAsync();
        shop.Model.Call(ToolNames.LookupOrder, ("orderNumber", "SB-99999"))
            .Call(ToolNames.VerifyCustomer, ("orderNumber", "SB-99999"), ("email", "emma.larsen@example.com"))
            .Say("I cannot find that order.");

        var result = await session.RunAsync("Order SB-99999, emma.larsen@example.com", TestContext.Current.CancellationToken);

        var (lookup, verify) = (result.ToolResults()[0].Json(), result.ToolResults()[1].Json());
        Assert.False(lookup.GetProperty("found").GetBoolean());
        Assert.False(verify.GetProperty("verified").GetBoolean());
        var audit = await shop.Support.ListAuditAsync(session.Id, TestContext.Current.CancellationToken);
        Assert.Contains(audit, a => a.Tool == ToolNames.VerifyCustomer && a.Outcome == AuditOutcome.Refused && a.Reason == "order_not_found");
    }

    [Fact]
    public async Task WrongEmail_ThreeTimes_LocksTheSessionOut_EvenForTheRightAddress()
    {
        await using var shop = await TestShop.StartAsync();
        var session = await shop.NewSessionAsync();
        foreach (var guess in new[] { "emma@example.com", "e.larsen@example.com", "emma.larsen@example.org" })
        {
            shop.Model.Call(ToolNames.VerifyCustomer, ("orderNumber", "SB-10421"), ("email", guess));
        }

        shop.Model.Call(ToolNames.VerifyCustomer, ("orderNumber", "SB-10421"), ("email", "emma.larsen@example.com"))
            .Call(ToolNames.LookupOrder, ("orderNumber", "SB-10421"))
            .Relay();

        var result = await session.RunAsync("Try my addresses", TestContext.Current.CancellationToken);

        var verifications = result.ToolResults().Take(4).Select(r => r.Json()).ToList();
        Assert.All(verifications, v => Assert.False(v.GetProperty("verified").GetBoolean()));
        Assert.Equal([2, 1, 0, 0], verifications.Select(v => v.GetProperty("attempts_left").GetInt32()));
        Assert.Contains("locked", verifications[3].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(result.ToolResults()[4].Json().GetProperty("verified").GetBoolean());
        var audit = await shop.Support.ListAuditAsync(session.Id, TestContext.Current.CancellationToken);
        Assert.Equal(3, audit.Count(a => a.Reason == "email_mismatch" && a.Outcome == AuditOutcome.Refused));
        Assert.Single(audit, a => a.Reason == "session_locked_out" && a.Outcome == AuditOutcome.Refused);

        // Another conversation is not locked by this one's failures (the per-order limit is higher).
        var other = await shop.NewSessionAsync();
        shop.Model.Call(ToolNames.VerifyCustomer, ("orderNumber", "SB-10421"), ("email", "emma.larsen@example.com")).Say("ok");
        var fresh = await other.RunAsync("emma.larsen@example.com", TestContext.Current.CancellationToken);
        Assert.True(fresh.ToolResults()[0].Json().GetProperty("verified").GetBoolean());
    }

    [Fact]
    public async Task OrderOutsideTheReturnWindow_IsNotEligible_AndNoReturnIsCreated()
    {
        await using var shop = await TestShop.StartAsync();
        var session = await shop.NewSessionAsync();
        shop.Model.Call(ToolNames.VerifyCustomer, ("orderNumber", "SB-10388"), ("email", "jonas.weber@example.de"))
            .Call(ToolNames.CheckEligibility, ("orderNumber", "SB-10388"), ("condition", "unused"))
            .Call(ToolNames.CreateReturn, ("orderNumber", "SB-10388"), ("lineNumbers", new[] { 1 }), ("condition", "unused"), ("reason", "changed my mind"))
            .Say("Sorry.");

        var result = await session.RunAsync("Return my running shoes from SB-10388, jonas.weber@example.de", TestContext.Current.CancellationToken);

        var line = result.ToolResults()[1].Json().GetProperty("lines")[0];
        Assert.False(line.GetProperty("eligible").GetBoolean());
        Assert.Equal("window_expired", line.GetProperty("reason").GetString());
        Assert.Contains("Return window", line.GetProperty("policy_reference").GetString(), StringComparison.Ordinal);
        Assert.Equal("refused", result.ToolResults()[2].Status());
        var order = (await shop.Orders.FindAsync("SB-10388", TestContext.Current.CancellationToken))!;
        Assert.Empty(await shop.Returns.ListForOrderAsync(order.Id, TestContext.Current.CancellationToken));
        Assert.Contains(await shop.Support.ListAuditAsync(session.Id, TestContext.Current.CancellationToken), a => a.Tool == ToolNames.CreateReturn && a.Reason == "not_eligible");
    }

    [Fact]
    public async Task NonReturnableCategories_AreRefused_WithThePolicyReference()
    {
        await using var shop = await TestShop.StartAsync();
        var session = await shop.NewSessionAsync();
        shop.Model.Call(ToolNames.VerifyCustomer, ("orderNumber", "SB-10422"), ("email", "emma.larsen@example.com"))
            .Call(ToolNames.CheckEligibility, ("orderNumber", "SB-10422"), ("condition", "unused"))
            .Call(ToolNames.CreateReturn, ("orderNumber", "SB-10422"), ("lineNumbers", new[] { 1, 2 }), ("condition", "unused"), ("reason", "not needed"))
            .Say("Sorry.");

        var result = await session.RunAsync("Return the underwear and the gift card", TestContext.Current.CancellationToken);

        var eligibility = result.ToolResults()[1].Json();
        Assert.False(eligibility.GetProperty("any_eligible").GetBoolean());
        Assert.All(eligibility.GetProperty("lines").EnumerateArray(), l => Assert.Equal("non_returnable_category", l.GetProperty("reason").GetString()));
        var refusal = result.ToolResults()[2];
        Assert.Equal("refused", refusal.Status());
        Assert.Contains("Items that cannot be returned", refusal.Json().GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CarrierDown_RetriesThenSaysSoPlainly_OpensATicket_AndTheCircuitBreaks()
    {
        await using var shop = await TestShop.StartAsync();
        shop.App.CarrierLabels!.FailureRate = 1;
        var session = await shop.NewSessionAsync();
        var ct = TestContext.Current.CancellationToken;
        shop.Model.VerifyAndReturnJeans()
            .CallWithLastRma(ToolNames.RequestLabel)
            .Relay();

        var result = await session.RunAsync("Return the jeans, emma.larsen@example.com", ct);

        var label = result.ToolResults()[2];
        Assert.Equal("unavailable", label.Status());
        var ticket = label.Json().GetProperty("ticket_number").GetString()!;
        Assert.Contains("not working right now", result.Text, StringComparison.Ordinal);
        Assert.Contains(ticket, result.Text, StringComparison.Ordinal);

        // One attempt and two retries (MaxRetries = 2), every one refused with 503.
        var posts = shop.App.CarrierLabels.Requests.Where(r => r.Method == "POST").ToList();
        Assert.Equal(3, posts.Count);
        Assert.All(posts, p => Assert.Equal(503, p.StatusCode));
        var tickets = await shop.Support.ListTicketsAsync(ct);
        Assert.Contains(tickets, t => t.TicketNumber == ticket && t.Reason == "carrier_unavailable" && t.OrderNumber == "SB-10421");
        Assert.Contains(await shop.Support.ListAuditAsync(session.Id, ct), a => a.Tool == ToolNames.RequestLabel && a.Outcome == AuditOutcome.Failed);
        Assert.Empty(shop.App.MailSink!.Messages);

        // Asking again: the fourth failure breaks the circuit (BreakAfterFailures = 4), so the retries stop at once.
        shop.Model.CallWith(ToolNames.RequestLabel, m => [("rma", label.Json().GetProperty("rma").GetString())]).Relay();
        var again = await session.RunAsync("Can you try again?", ct);
        Assert.Equal("unavailable", again.ToolResults()[0].Status());
        Assert.Equal(4, shop.App.CarrierLabels.Requests.Count(r => r.Method == "POST"));
    }

    [Fact]
    public async Task SmtpDown_SaysSoPlainly_KeepsTheLabelLink_AndOpensATicket()
    {
        await using var shop = await TestShop.StartAsync();
        shop.App.MailSink!.RejectAll = true;
        var session = await shop.NewSessionAsync();
        var ct = TestContext.Current.CancellationToken;
        shop.Model.VerifyAndReturnJeans()
            .CallWithLastRma(ToolNames.RequestLabel)
            .CallWithLastRma(ToolNames.EmailLabel)
            .Relay();

        var result = await session.RunAsync("Return the jeans, emma.larsen@example.com", ct);

        var email = result.ToolResults()[3];
        Assert.Equal("unavailable", email.Status());
        Assert.Contains("mail server is not responding", result.Text, StringComparison.Ordinal);
        Assert.Contains(email.Json().GetProperty("label_url").GetString()!, result.Text, StringComparison.Ordinal);
        Assert.Empty(shop.App.MailSink.Messages);
        Assert.Contains(await shop.Support.ListTicketsAsync(ct), t => t.Reason == "email_failed");
        var order = (await shop.Orders.FindAsync("SB-10421", ct))!;
        Assert.Equal("label_issued", Assert.Single(await shop.Returns.ListForOrderAsync(order.Id, ct)).Status);
    }
}
