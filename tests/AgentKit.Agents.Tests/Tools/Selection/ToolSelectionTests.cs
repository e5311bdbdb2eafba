using AgentKit.Agents.Tools.Selection;
using AgentKit.Embeddings.MiniLM;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Agents.Tests.Tools.Selection;

/// <summary>Tool selection with the real default embedding model (all-MiniLM-L6-v2); only the chat model is scripted.</summary>
public sealed class ToolSelectionTests
{
    private static readonly MiniLMEmbeddingGenerator Model = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static List<AIFunction> Catalog(List<string>? calls = null) =>
    [
        Tool("slack_post_message", "Post a new message to a Slack channel", calls),
        Tool("slack_list_channels", "List public channels in the Slack workspace", calls),
        Tool("maps_geocode", "Convert an address into geographic coordinates", calls),
        Tool("maps_directions", "Get driving or walking directions between two points", calls),
        Tool("git_log", "Shows the commit logs of a local git repository", calls),
        Tool("git_commit", "Records staged changes to the local git repository", calls),
        Tool("read_file", "Read the complete contents of a file from the file system", calls),
        Tool("write_file", "Create a new file or overwrite an existing file with new content", calls),
        Tool("create_issue", "Create a new issue in a GitHub repository", calls),
        Tool("merge_pull_request", "Merge a pull request in a GitHub repository", calls),
        Tool("brave_web_search", "Performs a web search for general queries, news and articles", calls),
        Tool("get_current_time", "Get the current time in a specific time zone", calls),
    ];

    private static AIFunction Tool(string name, string description, List<string>? calls) =>
        AIFunctionFactory.Create((string input) => { calls?.Add(name); return $"{name} done"; }, name, description);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SelectingClient_ShowsTopKRelevantAlwaysOnAndFindTools(bool streaming)
    {
        var model = new ScriptedChatClient("ok");
        using var selector = new ToolSelector(Model);
        var options = new ToolSelectionOptions { TopK = 2, AlwaysOn = ["get_current_time"] };
        using var client = new ToolSelectingChatClient(model, selector, options);
        var tools = Catalog();
        var chatOptions = new ChatOptions { Tools = [.. tools, new FindToolsFunction(selector, tools, options)] };
        ChatMessage[] messages = [new(ChatRole.User, "Post a message to the Slack channel #deploys saying the release is out")];

        if (streaming)
        {
            await foreach (var _ in client.GetStreamingResponseAsync(messages, chatOptions, Ct))
            {
            }
        }
        else
        {
            await client.GetResponseAsync(messages, chatOptions, Ct);
        }

        var shown = model.Calls.Single().Options!.Tools!.Select(t => t.Name).ToList();
        Assert.Equal(4, shown.Count);
        Assert.Contains("slack_post_message", shown);
        Assert.Contains("get_current_time", shown);
        Assert.Contains(ToolSelectionOptions.FindToolsName, shown);
        Assert.Equal(13, chatOptions.Tools.Count); // the caller's options keep every tool
    }

    [Fact]
    public async Task Agent_FindTools_MakesFoundToolCallableInTheSameTurn()
    {
        var calls = new List<string>();
        var step = 0;
        var model = new ScriptedChatClient((messages, options) => ++step switch
        {
            1 => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", ToolSelectionOptions.FindToolsName, new Dictionary<string, object?> { ["query"] = "convert an address to coordinates" })])),
            2 => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c2", "maps_geocode", new Dictionary<string, object?> { ["input"] = "10 Downing Street" })])),
            _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, "Done.")),
        });
        var tools = Catalog(calls);
        var agent = AgentHarness.Agent(tools: [.. tools.Select(t => t.Name)]) with { ToolSelection = new ToolSelectionOptions { TopK = 2 } };
        using var harness = new AgentHarness(model, [agent], tools, configure: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(Model).AddAgentKitToolSelection());

        var session = await harness.Runner.CreateSessionAsync(agent.Name, Ct);
        var result = await session.RunAsync("Post the release notes to the team's Slack channel", Ct);

        Assert.Equal(AgentRunOutcome.Completed, result.Outcome);
        var first = model.Calls[0].Options!.Tools!.Select(t => t.Name).ToList();
        var second = model.Calls[1].Options!.Tools!.Select(t => t.Name).ToList();
        Assert.DoesNotContain("maps_geocode", first);
        Assert.Contains("maps_geocode", second);
        Assert.Equal(["maps_geocode"], calls);
        var findResult = model.Calls[1].Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single(r => r.CallId == "c1");
        Assert.Contains("maps_geocode", findResult.Result?.ToString());
    }

    [Fact]
    public async Task Agent_AllowlistIsUnchanged_AnAllowedToolNotShownStillRuns_AnotherToolIsRefused()
    {
        var calls = new List<string>();
        var step = 0;
        var model = new ScriptedChatClient((messages, options) => ++step switch
        {
            1 => new ChatResponse(new ChatMessage(ChatRole.Assistant,
                [new FunctionCallContent("c1", "git_log", new Dictionary<string, object?> { ["input"] = "." }), new FunctionCallContent("c2", "rm_rf", new Dictionary<string, object?> { ["input"] = "/" })])),
            _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, "Done.")),
        });
        var tools = Catalog(calls);
        tools.Add(Tool("rm_rf", "Delete everything", calls));
        var agent = AgentHarness.Agent(tools: [.. tools.Where(t => t.Name != "rm_rf").Select(t => t.Name)]) with { ToolSelection = new ToolSelectionOptions { TopK = 2 } };
        using var harness = new AgentHarness(model, [agent], tools, configure: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(Model).AddAgentKitToolSelection());

        var session = await harness.Runner.CreateSessionAsync(agent.Name, Ct);
        await session.RunAsync("Post a message to Slack", Ct);

        Assert.DoesNotContain("git_log", model.Calls[0].Options!.Tools!.Select(t => t.Name));
        Assert.Equal(["git_log"], calls);
    }

    [Fact]
    public async Task Selector_EmbedsEachDescriptionOnce_AndAgainOnlyWhenItChanges()
    {
        using var selector = new ToolSelector(Model);
        var tools = Catalog().Cast<AIFunctionDeclaration>().ToList();
        await selector.RankAsync(tools, "read a file", 3, cancellationToken: Ct);
        Assert.Equal(tools.Count, selector.EmbeddedDescriptions);

        // The same definitions as new objects (an MCP server listing its tools again): nothing new to embed.
        await selector.RankAsync([.. Catalog()], "read a file", 3, cancellationToken: Ct);
        Assert.Equal(tools.Count, selector.EmbeddedDescriptions);

        // One tool's description changed (notifications/tools/list_changed, then a new list): only it is embedded.
        tools[0] = AIFunctionFactory.CreateDeclaration("slack_post_message", "Post a message, with attachments, to a Slack channel", tools[0].JsonSchema);
        var ranked = await selector.RankAsync(tools, "send a Slack message with an attachment", 1, cancellationToken: Ct);
        Assert.Equal(tools.Count + 1, selector.EmbeddedDescriptions);
        Assert.Equal("slack_post_message", ranked[0].Tool.Name);
    }

    [Fact]
    public async Task Agent_AlwaysOnToolNotOnAllowlist_FailsTheRunNamingIt()
    {
        var tools = Catalog();
        var agent = AgentHarness.Agent(tools: [.. tools.Select(t => t.Name)]) with { ToolSelection = new ToolSelectionOptions { TopK = 2, AlwaysOn = ["launch_rocket"] } };
        using var harness = new AgentHarness(new ScriptedChatClient("ok"), [agent], tools, configure: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(Model).AddAgentKitToolSelection());

        var session = await harness.Runner.CreateSessionAsync(agent.Name, Ct);
        var result = await session.RunAsync("hi", Ct);

        Assert.Equal(AgentRunOutcome.Failed, result.Outcome);
        Assert.Contains("launch_rocket", result.Error);
    }
}
