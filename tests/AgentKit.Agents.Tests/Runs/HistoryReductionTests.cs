using AgentKit.Agents.Events;
using AgentKit.Agents.History;
using AgentKit.Prompts;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Agents.Tests.Runs;

/// <summary>History reduction with the real prompt registry and the shipped <c>agents/summarize-history</c> prompt file.</summary>
public sealed class HistoryReductionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static PromptRegistry Prompts() =>
        new(new PromptRegistryOptions { RootDirectory = Path.Combine(AppContext.BaseDirectory, "prompts"), WatchForChanges = false });

    [Fact]
    public async Task Reducer_UnderBudget_ReturnsHistoryUnchanged()
    {
        using var prompts = Prompts();
        var model = new ScriptedChatClient();
        var reducer = new SummarizingHistoryReducer(model, prompts, tokenBudget: 1000);
        List<ChatMessage> history = [new(ChatRole.User, "hi"), new(ChatRole.Assistant, "hello")];

        Assert.Same(history, await reducer.ReduceAsync(history, Ct));
        Assert.Empty(model.Calls);
    }

    [Fact]
    public async Task Reducer_OverBudget_SummarizesOlderMessages_KeepsToolPairsAndRecentOnes()
    {
        using var prompts = Prompts();
        var model = new ScriptedChatClient("The user asked about order 1042, which shipped.");
        var reducer = new SummarizingHistoryReducer(model, prompts, tokenBudget: 20, keepLastMessages: 2);
        List<ChatMessage> history =
        [
            new(ChatRole.User, "My order 1042 has not arrived, can you check it please?"),
            new(ChatRole.Assistant, "Order 1042 shipped on 3 May with DHL and is at the local depot."),
            new(ChatRole.User, "And order 7?"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "lookup_order", new Dictionary<string, object?> { ["orderId"] = 7 })]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", "Order 7: shipped.")]),
            new(ChatRole.Assistant, "Order 7 shipped too."),
        ];

        var reduced = (await reducer.ReduceAsync(history, Ct)).ToList();

        // The call/result pair stays whole: the kept part starts at the call, not at the result.
        Assert.Equal(4, reduced.Count);
        Assert.StartsWith(SummarizingHistoryReducer.SummaryHeader, reduced[0].Text, StringComparison.Ordinal);
        Assert.Contains("order 1042", reduced[0].Text, StringComparison.Ordinal);
        Assert.IsType<FunctionCallContent>(Assert.Single(reduced[1].Contents));
        var prompt = string.Join("\n", model.Calls.Single().Messages.Select(m => m.Text));
        Assert.Contains("My order 1042 has not arrived", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("Order 7 shipped too.", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_WithContextBudget_ReducesStoredHistoryBeforeTheRun()
    {
        using var prompts = Prompts();
        var model = new ScriptedChatClient("a", "b", "c", "d", "The user greeted several times.", "e");
        var agent = AgentHarness.Agent() with { ContextTokenBudget = 12 };
        using var harness = new AgentHarness(model, [agent], configure: s => s.AddSingleton<IPromptRegistry>(prompts));
        var session = await harness.Runner.CreateSessionAsync("helper", Ct);
        foreach (var text in new[] { "hello there, how are you", "hello again, still there?", "third message here", "fourth message here" })
        {
            Assert.Equal(AgentRunOutcome.Completed, (await session.RunAsync(text, Ct)).Outcome);
        }

        var events = new List<AgentEvent>();
        await foreach (var e in session.RunStreamingAsync("fifth", Ct))
        {
            events.Add(e);
        }

        var reduced = Assert.Single(events.OfType<HistoryReducedEvent>());
        Assert.True(reduced.MessagesAfter < reduced.MessagesBefore);
        var history = await session.GetHistoryAsync(Ct);
        Assert.StartsWith(SummarizingHistoryReducer.SummaryHeader, history[0].Text, StringComparison.Ordinal);
        Assert.Contains("greeted several times", history[0].Text, StringComparison.Ordinal);
        Assert.Equal(["fourth message here", "d", "fifth", "e"], history.Skip(history.Count - 4).Select(m => m.Text));
        Assert.Equal((8, 7), (reduced.MessagesBefore, reduced.MessagesAfter));
    }
}
