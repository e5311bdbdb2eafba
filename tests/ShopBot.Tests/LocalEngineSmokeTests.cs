using AgentKit.Agents;
using AgentKit.Agents.Events;
using AgentKit.Testing;

namespace ShopBot.Tests;

/// <summary>
/// ShopBot on the local engine: a generated GGUF model (real Qwen2 vocabulary and chat template, random weights)
/// through AddAgentKit's llama model configuration and LlamaChatClient. The answers mean nothing; the run must
/// go through the whole sample (prompt file, tools offered to the model, streaming, session storage) without error.
/// </summary>
public sealed class LocalEngineSmokeTests
{
    [Fact]
    public async Task GeneratedGgufModel_DrivesAConversationTurn_WithoutErrors()
    {
        var model = TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2);
        await using var shop = await TestShop.StartAsync(settings: new Dictionary<string, string?>
        {
            ["AgentKit:Models:local:Provider"] = "Llama",
            ["AgentKit:Models:local:Path"] = model,
            ["AgentKit:Models:local:ContextSize"] = "8192",
            ["AgentKit:Models:local:MaxContexts"] = "1",
            ["AgentKit:Models:local:Threads"] = "2",
            ["ShopBot:Agent:MaxOutputTokens"] = "48",
            ["ShopBot:Agent:MaxSteps"] = "3",
        }, useModelFromConfiguration: true);
        var session = await shop.NewSessionAsync();

        var events = new List<AgentEvent>();
        await foreach (var evt in session.RunStreamingAsync("Hi, I want to return my jeans from order SB-10421.", TestContext.Current.CancellationToken))
        {
            events.Add(evt);
        }

        var last = Assert.IsAssignableFrom<AgentEvent>(events[^1]);
        var result = last switch
        {
            RunCompletedEvent completed => completed.Result,
            RunFailedEvent failed => failed.Result,
            _ => throw new InvalidOperationException($"The last event was {last.GetType().Name}."),
        };

        // Random weights may stop anywhere or call tools with nonsense; what must not happen is an engine or runtime failure.
        Assert.NotEqual(AgentRunOutcome.Failed, result.Outcome);
        Assert.Contains(events, e => e is StepCompletedEvent { Kind: AgentStepKind.ModelCall });
        var history = await session.GetHistoryAsync(TestContext.Current.CancellationToken);
        Assert.Contains(history, m => m.Role == Microsoft.Extensions.AI.ChatRole.User);
    }
}
