using System.Text.RegularExpressions;
using AgentKit.Agents.Tools;
using Microsoft.Extensions.DependencyInjection;
using ShopBot.Tools;

namespace ShopBot.Tests;

/// <summary>The model knows the tools by their full names (<c>orders_verify_customer</c>); whatever it reads names them so.</summary>
public sealed partial class ToolNamingTests
{
    [Fact]
    public async Task ToolDescriptions_NameOtherToolsAsTheModelKnowsThem()
    {
        await using var shop = await TestShop.StartAsync();
        var tools = await shop.App.Services.GetRequiredService<ToolCatalog>().ResolveAsync(ToolNames.All, TestContext.Current.CancellationToken);

        Assert.Equal(ToolNames.All.Count, tools.Count);
        foreach (var tool in tools)
        {
            AssertFullNamesOnly($"{tool.Name}'s description and schema", tool.Description + "\n" + tool.JsonSchema.GetRawText());
        }
    }

    [Fact]
    public async Task ToolResults_NameOtherToolsAsTheModelKnowsThem()
    {
        await using var shop = await TestShop.StartAsync();
        var session = await shop.NewSessionAsync();

        // Each of these results tells the model which tool to call next.
        shop.Model.Call(ToolNames.LookupOrder, ("orderNumber", "SB-10421"))
            .Call(ToolNames.EmailLabel, ("rma", "RMA-00000000"))
            .Call(ToolNames.CheckEligibility, ("orderNumber", "SB-10421"), ("condition", "unused"))
            .Call(ToolNames.VerifyCustomer, ("orderNumber", "SB-10421"), ("email", "emma.larsen@example.com"))
            .Call(ToolNames.CheckEligibility, ("orderNumber", "SB-10421"), ("condition", "unused"), ("lineNumbers", new[] { 1 }))
            .Call(ToolNames.CheckEligibility, ("orderNumber", "SB-10422"), ("condition", "unused"))
            .Call(ToolNames.CreateReturn, ("orderNumber", "SB-10421"), ("lineNumbers", new[] { 1 }), ("condition", "unused"), ("reason", "too small"))
            .CallWithLastRma(ToolNames.EmailLabel)
            .Call(ToolNames.CreateReturn, ("orderNumber", "SB-10421"), ("lineNumbers", new[] { 1 }), ("condition", "unused"), ("reason", "too small"))
            .CallWithLastRma(ToolNames.RequestLabel)
            .Call(ToolNames.RequestLabel, ("rma", "RMA-FFFFFFFF"))
            .Say("Done.");

        var result = await session.RunAsync("Return the jeans from SB-10421, emma.larsen@example.com", TestContext.Current.CancellationToken);

        var results = result.ToolResults();
        Assert.Equal(11, results.Count);
        foreach (var (tool, text) in results)
        {
            AssertFullNamesOnly($"the result of {tool}", text);
        }

        // The messages that point to a next step do point to one, by its full name.
        var all = string.Join("\n", results.Select(r => r.Text));
        foreach (var named in new[] { ToolNames.VerifyCustomer, ToolNames.CreateReturn, ToolNames.RequestLabel, ToolNames.EmailLabel })
        {
            Assert.Contains(named, all, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task LockedOutVerification_OffersTheEscalationTool_ByItsFullName()
    {
        await using var shop = await TestShop.StartAsync();
        var session = await shop.NewSessionAsync();
        foreach (var guess in new[] { "a@example.com", "b@example.com", "c@example.com", "d@example.com" })
        {
            shop.Model.Call(ToolNames.VerifyCustomer, ("orderNumber", "SB-10421"), ("email", guess));
        }

        shop.Model.Say("Sorry.");
        var result = await session.RunAsync("guesses", TestContext.Current.CancellationToken);

        var last = result.ToolResults()[^1];
        Assert.Contains(ToolNames.Escalate, last.Text, StringComparison.Ordinal);
        AssertFullNamesOnly("the lockout", last.Text);
    }

    /// <summary>Fails when <paramref name="text"/> names a ShopBot tool by its function name alone (<c>verify_customer</c>).</summary>
    private static void AssertFullNamesOnly(string what, string text)
    {
        foreach (var full in ToolNames.All.Where(n => n.Contains('_', StringComparison.Ordinal) && n != ToolNames.SearchPolicies))
        {
            var bare = full[(full.IndexOf('_', StringComparison.Ordinal) + 1)..];
            var bareUse = new Regex($@"(?<![A-Za-z0-9_]){Regex.Escape(bare)}(?![A-Za-z0-9_])");
            Assert.False(bareUse.IsMatch(text), $"{what} names '{bare}', which the model knows as '{full}': {text}");
        }
    }
}
