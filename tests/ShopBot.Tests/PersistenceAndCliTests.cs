using ShopBot.Cli;
using ShopBot.Tools;

namespace ShopBot.Tests;

public sealed class PersistenceAndCliTests
{
    [Fact]
    public async Task AfterARestart_TheConversationAndItsVerificationAreStillThere_AndPoliciesAreNotReingested()
    {
        var root = Path.Combine(Path.GetTempPath(), "shopbot-tests", Guid.NewGuid().ToString("N"));
        var ct = TestContext.Current.CancellationToken;
        string sessionId;
        await using (var first = await TestShop.StartAsync(root: root, keepFiles: true))
        {
            var session = await first.NewSessionAsync();
            sessionId = session.Id;
            first.Model.Call(ToolNames.VerifyCustomer, ("orderNumber", "SB-10421"), ("email", "emma.larsen@example.com")).Say("You are verified.");
            await session.RunAsync("emma.larsen@example.com for SB-10421", ct);
        }

        await using var second = await TestShop.StartAsync(root: root);
        Assert.All(second.App.Knowledge.Status.LastReport!.Files, f => Assert.Equal(AgentKit.Rag.Ingestion.FileIngestionStatus.Unchanged, f.Status));
        var reopened = await second.Runner.OpenSessionAsync(sessionId, ct);
        Assert.Contains(await reopened.GetHistoryAsync(ct), m => m.Text == "You are verified.");
        second.Model.Call(ToolNames.LookupOrder, ("orderNumber", "SB-10421")).Say("Here it is.");
        var result = await reopened.RunAsync("Show me my order again", ct);
        Assert.True(result.ToolResults()[0].Json().GetProperty("verified").GetBoolean());
    }

    [Fact]
    public async Task TerminalChat_StreamsRepliesAndToolActivity_UntilQuit()
    {
        await using var shop = await TestShop.StartAsync();
        shop.Model.Call(ToolNames.LookupOrder, ("orderNumber", "SB-10421")).Say("Found it. Which e-mail address did you use?");
        var output = new StringWriter();
        var chat = new TerminalChat(shop.Runner, new StringReader("I want to return order SB-10421\n/quit\n"), output);

        var sessionId = await chat.RunAsync(null, TestContext.Current.CancellationToken);

        var text = output.ToString();
        Assert.Contains($"--session {sessionId}", text, StringComparison.Ordinal);
        Assert.Contains($"[{ToolNames.LookupOrder}", text, StringComparison.Ordinal);
        Assert.Contains("Order SB-10421 exists", text, StringComparison.Ordinal);
        Assert.Contains("shopbot> ", text, StringComparison.Ordinal);
        Assert.Contains("Found it. Which e-mail address did you use?", text, StringComparison.Ordinal);
        Assert.Equal(0, shop.Model.Pending);
    }
}
