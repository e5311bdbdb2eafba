using AgentKit.Abstractions.Evidence;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Tests.Evidence;

/// <summary>Tool results that disagree are surfaced by the agent loop, not left to the model (issue #17 §4).</summary>
public sealed class EvidenceConflictTests
{
    private static AIFunction[] PriceTools() =>
    [
        AIFunctionFactory.Create((string sku) => new { sku, price = 12.5, updated = "2025-01-01" }, "get_price", "Price from the pricing service."),
        AIFunctionFactory.Create((string sku) => new { sku, price = 13.0, updated = "2025-02-01" }, "catalog_lookup", "Product from the catalog."),
    ];

    private static ScriptedChatClient PriceScript(string answer) => new ScriptedChatClient()
        .CallTool("get_price", new Dictionary<string, object?> { ["sku"] = "X100" })
        .CallTool("catalog_lookup", new Dictionary<string, object?> { ["sku"] = "X100" })
        .Reply(answer);

    [Fact]
    public async Task AgentRun_ToolsDisagree_ModelToldAndAnswerNotedWithTheNewer()
    {
        var chat = PriceScript("The X100 costs 12.50.");
        using var harness = new AgentHarness(chat, [AgentHarness.Agent(tools: ["get_price", "catalog_lookup"])], PriceTools());
        var session = await harness.Runner.CreateSessionAsync("helper", TestContext.Current.CancellationToken);

        var result = await session.RunAsync("How much is the X100?", TestContext.Current.CancellationToken);

        var lastRequest = chat.Calls[^1].Messages;
        Assert.Contains("<evidence-conflicts>", lastRequest[^1].Text, StringComparison.Ordinal);
        Assert.Equal(ChatRole.User, lastRequest[^1].Role);
        Assert.StartsWith("The X100 costs 12.50.\n\nNote: the tool results disagree.", result.Text, StringComparison.Ordinal);
        Assert.EndsWith("The newer, catalog_lookup, is preferred.", result.Text, StringComparison.Ordinal);
        Assert.Contains("get_price (get_price, 2025-01-01) says \"price: 12.5.\"", result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentRun_AnswerNamesBothSources_GetsNoNote()
    {
        var chat = PriceScript("get_price says 12.50 but catalog_lookup says 13.00; the catalog is newer.");
        using var harness = new AgentHarness(chat, [AgentHarness.Agent(tools: ["get_price", "catalog_lookup"])], PriceTools());
        var session = await harness.Runner.CreateSessionAsync("helper", TestContext.Current.CancellationToken);

        var result = await session.RunAsync("How much is the X100?", TestContext.Current.CancellationToken);

        Assert.Equal("get_price says 12.50 but catalog_lookup says 13.00; the catalog is newer.", result.Text);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Client_FinalAnswerOverConflictingResults_GetsTheNote(bool streaming)
    {
        var model = new ScriptedChatClient("It costs 12.50.");
        using var client = new EvidenceConflictChatClient(model);
        List<ChatMessage> history =
        [
            new(ChatRole.User, "Price of X100?"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "get_price"), new FunctionCallContent("c2", "catalog_lookup")]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", """{"price":12.5}"""), new FunctionResultContent("c2", """{"price":13.0}""")]),
        ];

        var text = streaming
            ? (await client.GetStreamingResponseAsync(history, cancellationToken: TestContext.Current.CancellationToken).ToChatResponseAsync(TestContext.Current.CancellationToken)).Text
            : (await client.GetResponseAsync(history, cancellationToken: TestContext.Current.CancellationToken)).Text;

        Assert.Equal(
            "It costs 12.50.\n\nNote: the tool results disagree. get_price (get_price) says \"price: 12.5.\"; catalog_lookup (catalog_lookup) says \"price: 13.0.\". Neither is known to be newer: the disagreement is unresolved.",
            text);
        Assert.Equal(4, model.Calls[0].Messages.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Client_AgreeingResultsOrEarlierTurns_LeaveRequestAndAnswerAlone(bool streaming)
    {
        var model = new ScriptedChatClient("It costs 12.50.");
        using var client = new EvidenceConflictChatClient(model);
        List<ChatMessage> history =
        [
            new(ChatRole.User, "Price of X100 last week?"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "get_price"), new FunctionCallContent("c2", "catalog_lookup")]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", """{"price":11.0}"""), new FunctionResultContent("c2", """{"price":13.0}""")]),
            new(ChatRole.Assistant, "It was 11 or 13."),
            new(ChatRole.User, "And now?"),
            new(ChatRole.Assistant, [new FunctionCallContent("c3", "get_price"), new FunctionCallContent("c4", "catalog_lookup")]),
            new(ChatRole.Tool, [new FunctionResultContent("c3", """{"price":12.5}"""), new FunctionResultContent("c4", """{"price":12.5}""")]),
        ];

        var text = streaming
            ? (await client.GetStreamingResponseAsync(history, cancellationToken: TestContext.Current.CancellationToken).ToChatResponseAsync(TestContext.Current.CancellationToken)).Text
            : (await client.GetResponseAsync(history, cancellationToken: TestContext.Current.CancellationToken)).Text;

        Assert.Equal("It costs 12.50.", text);
        Assert.Equal(history.Count, model.Calls[0].Messages.Count);
    }
}
