using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ShopBot.Tools;

namespace ShopBot.Tests;

/// <summary>
/// The carrier and the mail server go down in the middle of a return, in the ways that do not answer at all (a hang,
/// a refused connection): every tool call ends within its configured time limits, the customer is told plainly, and
/// the return stays in a state the conversation can continue from.
/// </summary>
public sealed class OutageTests
{
    [Fact]
    public async Task CarrierHangsMidReturn_EveryAttemptTimesOut_TheReplySaysSo_AndTheLabelIsIssuedOnceItRecovers()
    {
        await using var shop = await TestShop.StartAsync(settings: new Dictionary<string, string?> { ["ShopBot:Carrier:AttemptTimeout"] = "00:00:00.200" });
        var session = await shop.NewSessionAsync();
        var ct = TestContext.Current.CancellationToken;
        shop.Model.VerifyAndReturnJeans()
            .Say("Your return is registered; I will get the label next.");
        var created = await session.RunAsync("Return the jeans, emma.larsen@example.com", ct);
        var rma = created.ToolResults()[1].Json().GetProperty("rma").GetString()!;

        // The carrier stops answering between two turns of the conversation.
        shop.App.CarrierLabels!.Latency = TimeSpan.FromMinutes(5);
        shop.Model.Call(ToolNames.RequestLabel, ("rma", rma)).Relay();
        var clock = Stopwatch.StartNew();
        var outage = await session.RunAsync("Please send the label.", ct);

        // Three attempts of 0.2 s and two short back-offs: bounded, far below the carrier's five minutes.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.6), TimeSpan.FromSeconds(15));
        var label = outage.ToolResults()[0];
        Assert.Equal("unavailable", label.Status());
        Assert.Contains("not working right now", outage.Text, StringComparison.Ordinal);
        Assert.Contains(label.Json().GetProperty("ticket_number").GetString()!, outage.Text, StringComparison.Ordinal);
        var order = (await shop.Orders.FindAsync("SB-10421", ct))!;
        Assert.NotEqual("label_issued", Assert.Single(await shop.Returns.ListForOrderAsync(order.Id, ct)).Status);
        Assert.Empty(shop.App.CarrierLabels.Labels);

        // The carrier is back: the same conversation gets the label for the same return.
        shop.App.CarrierLabels.Latency = TimeSpan.Zero;
        shop.Model.Call(ToolNames.RequestLabel, ("rma", rma)).Relay();
        var recovered = await session.RunAsync("Can you try again?", ct);
        Assert.Equal("label_issued", Assert.Single(await shop.Returns.ListForOrderAsync(order.Id, ct)).Status);
        Assert.Single(shop.App.CarrierLabels.Labels);
        Assert.NotEqual("unavailable", recovered.ToolResults()[0].Status());
    }

    [Theory]
    [InlineData("never-answers")]
    [InlineData("refuses-connections")]
    public async Task MailServerDownMidReturn_IsBoundedByItsTimeout_AndTheCustomerKeepsTheLabelLink(string outage)
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        if (outage == "refuses-connections")
        {
            silent.Stop();
        }

        // Accepted connections get no greeting: MailKit waits for one until the delivery timeout.
        await using var shop = await TestShop.StartAsync(settings: new Dictionary<string, string?>
        {
            ["ShopBot:Smtp:UseLocalSink"] = "false",
            ["ShopBot:Smtp:Host"] = "127.0.0.1",
            ["ShopBot:Smtp:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["ShopBot:Smtp:UseTls"] = "false",
            ["ShopBot:Smtp:Timeout"] = "00:00:00.500",
        });
        var session = await shop.NewSessionAsync();
        var ct = TestContext.Current.CancellationToken;
        shop.Model.VerifyAndReturnJeans()
            .CallWithLastRma(ToolNames.RequestLabel)
            .CallWithLastRma(ToolNames.EmailLabel)
            .Relay();
        var clock = Stopwatch.StartNew();

        var result = await session.RunAsync("Return the jeans, emma.larsen@example.com", ct);

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(15));
        var email = result.ToolResults()[3];
        Assert.Equal("unavailable", email.Status());
        Assert.Contains("mail server is not responding", result.Text, StringComparison.Ordinal);
        Assert.Contains(email.Json().GetProperty("label_url").GetString()!, result.Text, StringComparison.Ordinal);
        Assert.Contains(await shop.Support.ListTicketsAsync(ct), t => t.Reason == "email_failed");
        var order = (await shop.Orders.FindAsync("SB-10421", ct))!;
        Assert.Equal("label_issued", Assert.Single(await shop.Returns.ListForOrderAsync(order.Id, ct)).Status);
        var history = await session.GetHistoryAsync(ct);
        Assert.Equal(result.Messages.Count, history.Count);
    }
}
