using AgentKit.Agents;
using ShopBot.Data;
using ShopBot.Email;
using ShopBot.Tools;

namespace ShopBot.Tests;

public sealed class HappyPathTests
{
    private const string Order = "SB-10421";
    private const string Email = "emma.larsen@example.com";

    [Fact]
    public async Task Return_OfJeans_EndToEnd_WritesRmaGetsLabelAndEmailsIt()
    {
        await using var shop = await TestShop.StartAsync();
        var session = await shop.NewSessionAsync();
        var ct = TestContext.Current.CancellationToken;

        // Turn 1: the order exists, but nothing about it is disclosed yet.
        shop.Model.Call(ToolNames.LookupOrder, ("orderNumber", Order)).Say("I found the order. What e-mail address did you use for it?");
        var first = await session.RunAsync("Hi, I'd like to return the jeans from order SB-10421.", ct);
        Assert.Equal(AgentRunOutcome.Completed, first.Outcome);
        var unverified = first.ToolResults().Single();
        Assert.True(unverified.Json().GetProperty("found").GetBoolean());
        Assert.False(unverified.Json().GetProperty("verified").GetBoolean());
        Assert.DoesNotContain("jeans", unverified.Text, StringComparison.OrdinalIgnoreCase);

        // Turn 2: verification by the e-mail on the order, then the details.
        shop.Model.Call(ToolNames.VerifyCustomer, ("orderNumber", Order), ("email", " Emma.Larsen@Example.com "))
            .Call(ToolNames.LookupOrder, ("orderNumber", Order))
            .Say("Thanks Emma. Which items go back, and why?");
        var second = await session.RunAsync(Email, ct);
        var lookup = second.ToolResults()[1].Json();
        Assert.True(lookup.GetProperty("verified").GetBoolean());
        Assert.Contains("Classic straight jeans", lookup.GetProperty("order").GetProperty("lines")[0].GetProperty("product").GetString(), StringComparison.Ordinal);

        // Turn 3: eligibility, return, label, e-mail.
        shop.Model.Call(ToolNames.CheckEligibility, ("orderNumber", Order), ("condition", "tried_on"), ("lineNumbers", new[] { 1 }))
            .Call(ToolNames.CreateReturn, ("orderNumber", Order), ("lineNumbers", new[] { 1 }), ("condition", "tried_on"), ("reason", "too small"))
            .CallWithLastRma(ToolNames.RequestLabel)
            .CallWithLastRma(ToolNames.EmailLabel)
            .Relay();
        var third = await session.RunAsync("Just the jeans, they are too small. I only tried them on.", ct);
        Assert.Equal(AgentRunOutcome.Completed, third.Outcome);
        var results = third.ToolResults();
        Assert.All(results.Skip(1), r => Assert.Equal("ok", r.Status()));
        Assert.True(results[0].Json().GetProperty("any_eligible").GetBoolean());
        var rma = results[1].Json().GetProperty("rma").GetString()!;
        Assert.Contains("e-mailed to the address on the order", third.Text, StringComparison.Ordinal);

        // The database: one RMA for line 1, labelled and e-mailed to the order's address.
        var order = (await shop.Orders.FindAsync(Order, ct))!;
        var stored = Assert.Single(await shop.Returns.ListForOrderAsync(order.Id, ct));
        Assert.Equal(rma, stored.Rma);
        Assert.Equal("label_emailed", stored.Status);
        Assert.Equal(Email, stored.EmailedTo);
        Assert.Equal([1], stored.Lines.Select(l => l.LineNumber));
        Assert.Equal("tried_on", stored.Lines[0].Condition);
        Assert.NotNull(stored.Label);

        // The carrier: one label request, with the key, the RMA as idempotency key and the customer's address.
        var labelRequest = Assert.Single(shop.App.CarrierLabels!.Requests, r => r.Method == "POST");
        Assert.True(labelRequest.ApiKeyAccepted);
        Assert.Equal(201, labelRequest.StatusCode);
        Assert.Equal(rma, labelRequest.IdempotencyKey);
        Assert.Equal(rma, labelRequest.Label?.Reference);
        Assert.Equal("Emma Larsen", labelRequest.Label!.From.Name);
        Assert.Equal("ShopBot Returns", labelRequest.Label!.To.Name);
        Assert.Equal(650 + 100, labelRequest.Label!.WeightGrams);

        // The e-mail: to the order's address only, the RMA in the subject, the label attached and linked.
        var mail = Assert.Single(shop.App.MailSink!.Messages);
        Assert.Equal([Email], mail.Recipients);
        Assert.Contains(rma, mail.Message.Subject, StringComparison.Ordinal);
        Assert.StartsWith(LabelMailer.SubjectPrefix, mail.Message.Subject, StringComparison.Ordinal);
        var attachment = Assert.Single(mail.Message.Attachments.OfType<MimeKit.MimePart>());
        Assert.Equal("application/pdf", attachment.ContentType.MimeType);
        using var pdf = new MemoryStream();
        await attachment.Content!.DecodeToAsync(pdf, ct);
        Assert.Equal("%PDF"u8.ToArray(), pdf.ToArray()[..4]);
        Assert.Contains(stored.Label!.LabelUrl.ToString(), mail.Message.TextBody, StringComparison.Ordinal);
        Assert.Contains(stored.Label.TrackingNumber, ExtractPdfText(pdf.ToArray()), StringComparison.Ordinal);

        // The audit log tells the story, with nothing refused.
        var audit = await shop.Support.ListAuditAsync(session.Id, ct);
        Assert.DoesNotContain(audit, a => a.Outcome != AuditOutcome.Allowed);
        Assert.Equal(
            ["found_unverified", "verified", "details_shown", "eligible", "created", "label_issued", "label_emailed"],
            audit.Select(a => a.Reason));
    }

    [Fact]
    public async Task CreateReturn_Twice_ForTheSameLines_GivesTheSameRma()
    {
        await using var shop = await TestShop.StartAsync();
        var session = await shop.NewSessionAsync();
        var ct = TestContext.Current.CancellationToken;
        shop.Model.Call(ToolNames.VerifyCustomer, ("orderNumber", Order), ("email", Email))
            .Call(ToolNames.CreateReturn, ("orderNumber", Order), ("lineNumbers", new[] { 2 }), ("condition", "unused"), ("reason", "wrong colour"))
            .Call(ToolNames.CreateReturn, ("orderNumber", Order), ("lineNumbers", new[] { 2 }), ("condition", "unused"), ("reason", "wrong colour"))
            .Say("Done.");

        var result = await session.RunAsync("Return the T-shirts please, I'm emma.larsen@example.com", ct);

        var first = result.ToolResults()[1].Json().GetProperty("rma").GetString();
        var again = result.ToolResults()[2];
        Assert.Equal(first, again.Json().GetProperty("rma").GetString());
        Assert.Contains("already covers", again.Json().GetProperty("message").GetString(), StringComparison.Ordinal);
        var order = (await shop.Orders.FindAsync(Order, ct))!;
        Assert.Single(await shop.Returns.ListForOrderAsync(order.Id, ct));
    }

    [Fact]
    public async Task PolicyQuestion_IsAnsweredFromTheDocuments_WithCitations()
    {
        await using var shop = await TestShop.StartAsync();
        var session = await shop.NewSessionAsync();
        shop.Model.Call(ToolNames.SearchPolicies, ("query", "how many days after delivery can I return items"), ("top", 3)).Say("Within 30 days of delivery [return-policy.md].");

        var result = await session.RunAsync("How long do I have to return something?", TestContext.Current.CancellationToken);

        var passages = result.ToolResults().Single().Json();
        Assert.Equal(System.Text.Json.JsonValueKind.Array, passages.ValueKind);
        var texts = passages.EnumerateArray().Select(p => (Citation: p.GetProperty("citation").GetString()!, Text: p.GetProperty("text").GetString()!)).ToList();
        Assert.Contains(texts, p => p.Text.Contains("30 days of delivery", StringComparison.Ordinal) && p.Citation.Contains("return-policy", StringComparison.Ordinal));
        Assert.True(File.Exists(shop.App.HandbookPath));
        Assert.Contains(shop.App.Knowledge.Status.LastReport!.Files, f => f.Path.EndsWith(".pdf", StringComparison.Ordinal) && f.Pages > 0);
    }

    internal static string ExtractPdfText(byte[] pdf)
    {
        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        return string.Join("\n", document.GetPages().Select(p => p.Text));
    }
}
