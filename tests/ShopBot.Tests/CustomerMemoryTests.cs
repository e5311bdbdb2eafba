using Microsoft.Extensions.AI;
using ShopBot.Memory;
using ShopBot.Tools;

namespace ShopBot.Tests;

public sealed class CustomerMemoryTests
{
    [Fact]
    public async Task AVerifiedCustomer_IsRemembered_InTheirNextConversation_AndNobodyElses()
    {
        await using var shop = await TestShop.StartAsync();
        var ct = TestContext.Current.CancellationToken;

        var first = await shop.NewSessionAsync();
        shop.Model.Call(ToolNames.VerifyCustomer, ("orderNumber", "SB-10421"), ("email", "emma.larsen@example.com"))
            .Say("Thanks Emma, noted: you usually wear W34 jeans.");
        await first.RunAsync("emma.larsen@example.com - by the way I usually wear W34 jeans", ct);

        // A new conversation: nothing is recalled before verification, Emma's note after it.
        var second = await shop.NewSessionAsync();
        shop.Model.Say("Hello! What is your order number?");
        await second.RunAsync("Hi, I need help with jeans sizes", ct);
        Assert.DoesNotContain(LastRequest(shop), m => m.Text.Contains(CustomerMemory.RecallHeader, StringComparison.Ordinal));

        shop.Model.Call(ToolNames.VerifyCustomer, ("orderNumber", "SB-10422"), ("email", "emma.larsen@example.com")).Say("Verified.");
        await second.RunAsync("SB-10422, emma.larsen@example.com", ct);
        shop.Model.Say("You told us W34 before.");
        await second.RunAsync("Which jeans size did I say I wear?", ct);
        var recalled = Assert.Single(LastRequest(shop), m => m.Text.Contains(CustomerMemory.RecallHeader, StringComparison.Ordinal));
        Assert.Equal(ChatRole.System, recalled.Role);
        Assert.Contains("W34", recalled.Text, StringComparison.Ordinal);

        // Another customer, verified in their own conversation, gets nothing of Emma's.
        var other = await shop.NewSessionAsync();
        shop.Model.Call(ToolNames.VerifyCustomer, ("orderNumber", "SB-10440"), ("email", "aisha.khan@example.co.uk")).Say("Verified.");
        await other.RunAsync("SB-10440, aisha.khan@example.co.uk", ct);
        shop.Model.Say("I have no notes on sizes.");
        await other.RunAsync("Which jeans size did I say I wear?", ct);
        Assert.DoesNotContain(LastRequest(shop), m => m.Text.Contains("W34", StringComparison.Ordinal));
    }

    private static IReadOnlyList<ChatMessage> LastRequest(TestShop shop) => shop.Model.Client.Calls[^1].Messages;
}
