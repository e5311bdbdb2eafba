using AgentKit.Agents;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ShopBot.Agent;
using ShopBot.Tools;

namespace ShopBot.Tests;

/// <summary>The agent's context budget fits the model's context, counting everything the model sees.</summary>
public sealed class ContextPlanTests
{
    [Fact]
    public async Task DefaultConfiguration_FitsTheContext_AndTheAgentsBudgetIsTheHistoryShare()
    {
        await using var shop = await TestShop.StartAsync();

        var agent = shop.App.Services.GetRequiredService<IEnumerable<AgentDefinition>>().Single(a => a.Name == ShopBotAgent.Name);
        var plan = Plan(shop);
        Assert.Equal(ContextPlan.DefaultRemoteContextTokens, plan.ContextTokens);
        Assert.True(plan.Total <= plan.ContextTokens, plan.ToString());
        Assert.True(plan.HistoryTokens >= ContextPlan.MinimumHistoryTokens, plan.ToString());
        Assert.Equal(plan.HistoryTokens, agent.ContextTokenBudget);
        Assert.Equal(600, plan.OutputTokens);
        Assert.Equal(300, plan.MemoryTokens);
        Assert.True(plan.TurnTokens >= ContextPlan.MaxPolicyPassages * shop.App.Knowledge.Options.ChunkTokens, plan.ToString());
    }

    [Fact]
    public async Task Plan_CountsTheInstructionsAndEveryToolSchemaTheModelReceives()
    {
        await using var shop = await TestShop.StartAsync();
        shop.Model.Say("Hello!");
        var session = await shop.NewSessionAsync();

        await session.RunAsync("Hi", TestContext.Current.CancellationToken);

        var plan = Plan(shop);
        var (messages, options, _) = Assert.Single(shop.Model.Client.Calls);
        var system = string.Join("\n", messages.Where(m => m.Role == ChatRole.System && !m.Text.Contains("memor", StringComparison.OrdinalIgnoreCase)).Select(m => m.Text));
        Assert.True(ContextPlan.EstimateTokens(system) <= plan.InstructionsTokens, $"the instructions the model got ({ContextPlan.EstimateTokens(system)} tokens) are more than planned: {plan}");
        var tools = options!.Tools!.OfType<AIFunction>().ToList();
        Assert.Equal(ToolNames.All.Order(StringComparer.Ordinal), tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        var schemas = string.Concat(tools.Select(t => t.Name + t.Description + t.JsonSchema.GetRawText()));
        Assert.True(ContextPlan.EstimateTokens(schemas) <= plan.ToolSchemaTokens, $"the tool schemas the model got ({ContextPlan.EstimateTokens(schemas)} tokens) are more than planned: {plan}");
    }

    [Fact]
    public async Task ContextTooSmall_FailsAtStartup_NamingTheKeyAndTheShares()
    {
        var error = await Assert.ThrowsAsync<ContextPlanException>(() => TestShop.StartAsync(settings: new Dictionary<string, string?> { ["ShopBot:Agent:ContextTokens"] = "4096" }));

        Assert.Contains("The model's context of 4096 tokens (ShopBot:Agent:ContextTokens)", error.Message, StringComparison.Ordinal);
        Assert.Contains("tool schemas", error.Message, StringComparison.Ordinal);
        Assert.Contains("ShopBot:Agent:MaxOutputTokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalModel_IsMeasuredWithItsTokenizer_AndItsConfiguredContext()
    {
        var model = TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2);
        var settings = new Dictionary<string, string?>
        {
            ["AgentKit:Models:local:Provider"] = "Llama",
            ["AgentKit:Models:local:Path"] = model,
            ["AgentKit:Models:local:MaxContexts"] = "1",
            ["AgentKit:Models:local:Threads"] = "2",
        };

        // LlamaContextOptions' default of 4,096 tokens cannot hold the agent: a clear error, not a failure mid-conversation.
        var error = await Assert.ThrowsAsync<ContextPlanException>(() => TestShop.StartAsync(settings: settings, useModelFromConfiguration: true));
        Assert.Contains("(AgentKit:Models:local:ContextSize)", error.Message, StringComparison.Ordinal);

        settings["AgentKit:Models:local:ContextSize"] = "16384";
        await using var shop = await TestShop.StartAsync(settings: settings, useModelFromConfiguration: true);
        var plan = Plan(shop);
        Assert.Equal(16384, plan.ContextTokens);
        Assert.True(plan.Total <= plan.ContextTokens, plan.ToString());

        // Counted with Qwen2's tokenizer, not estimated.
        var counter = (AgentKit.Abstractions.Text.ITokenCounter)shop.App.Services.GetRequiredKeyedService<IChatClient>(AgentChatClients.DefaultKey).GetService(typeof(AgentKit.Abstractions.Text.ITokenCounter))!;
        var instructions = shop.App.Services.GetRequiredService<AgentKit.Prompts.IPromptRegistry>().Get(ShopBotAgent.PromptName)
            .Render(new Dictionary<string, object?> { ["agent_name"] = ShopBotAgent.Name, ["session_id"] = Guid.Empty.ToString("N") });
        Assert.Equal(instructions.Sum(m => counter.CountTokens(m.Text)), plan.InstructionsTokens);
        Assert.True(plan.ToolSchemaTokens > 1000, plan.ToString());
    }

    private static ContextPlan Plan(TestShop shop) =>
        ContextPlan.MeasureAsync(shop.App.Services, shop.App.Services.GetRequiredService<ShopBotOptions>(), shop.App.Knowledge.Options.ChunkTokens, TestContext.Current.CancellationToken).GetAwaiter().GetResult();
}
