using System.Text.Json;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents;
using AgentKit.Agents.Events;
using AgentKit.Sandbox.Making;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Sandbox.Tests.Making;

/// <summary>
/// Tool making end to end in the agent runtime: a scripted model (standing in for the LLM only) proposes a tool through
/// <c>propose_tool</c>; later sessions, on new service providers over the same SQLite files, are offered it, ask for
/// approval before its first call, and no longer after.
/// </summary>
public sealed class MadeToolAgentTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("agentkit-made-tool-agents-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The temp folder is cleaned by the OS.
        }
    }

    [Fact]
    public async Task ProposedTool_IsStored_ThenOfferedInALaterSession_ApprovedBeforeItsFirstCall_AndNotAskedAgain()
    {
        // Session 1: the model makes the tool.
        var maker = new ScriptedChatClient();
        maker.Enqueue(Call("p1", ToolMakingTools.ProposeName, new()
        {
            ["name"] = "celsius_to_fahrenheit",
            ["description"] = "Converts degrees Celsius to degrees Fahrenheit.",
            ["parametersSchema"] = Json("""{"type":"object","properties":{"celsius":{"type":"number"}},"required":["celsius"]}"""),
            ["body"] = "return input.celsius * 9 / 5 + 32;",
            ["examples"] = Json("""[{"input":{"celsius":100},"expected":212},{"input":{"celsius":0},"expected":32}]"""),
        }));
        maker.Enqueue("I made celsius_to_fahrenheit.");
        using (var services = Services(maker, approvals: null))
        {
            var events = await RunAsync(services, "Make a tool that converts Celsius to Fahrenheit.");
            var proposed = Assert.Single(events.OfType<ToolResultEvent>());
            Assert.Equal(ToolCallStatus.Succeeded, proposed.Status);
            Assert.True(Property(proposed.Result, "stored").GetBoolean());
            Assert.Equal(1, Property(proposed.Result, "version").GetInt32());
        }

        // Session 2, a new runtime on the same files: the tool is offered, and its first call needs approval.
        var asked = new List<ToolApprovalRequest>();
        var user = new ScriptedChatClient();
        user.Enqueue(Call("c1", "celsius_to_fahrenheit", new() { ["celsius"] = 100 }));
        user.Enqueue("212 °F.");
        using (var services = Services(user, new DelegateToolApprovalHandler((request, _) =>
        {
            asked.Add(request);
            return ValueTask.FromResult(ToolApprovalDecision.Approve());
        })))
        {
            var events = await RunAsync(services, "What is 100 °C in Fahrenheit?");
            Assert.Contains("celsius_to_fahrenheit", user.Calls[0].Options!.Tools!.Select(t => t.Name));
            var result = Assert.Single(events.OfType<ToolResultEvent>());
            Assert.Equal((ToolCallStatus.Succeeded, "212"), (result.Status, result.Result));
            Assert.Equal("celsius_to_fahrenheit", Assert.Single(asked).ToolName);
        }

        // Session 3: approved once, it runs without asking (a handler that denies everything is never consulted).
        var later = new ScriptedChatClient();
        later.Enqueue(Call("c2", "celsius_to_fahrenheit", new() { ["celsius"] = -40 }));
        later.Enqueue("-40 °F.");
        using (var services = Services(later, new DelegateToolApprovalHandler((_, _) => ValueTask.FromResult(ToolApprovalDecision.Deny("nobody is here")))))
        {
            var result = Assert.Single((await RunAsync(services, "And -40 °C?")).OfType<ToolResultEvent>());
            Assert.Equal((ToolCallStatus.Succeeded, "-40"), (result.Status, result.Result));
        }
    }

    [Fact]
    public async Task FirstCall_Denied_DoesNotRun_AndTheToolStaysUnapproved()
    {
        using (var setup = Services(new ScriptedChatClient(), approvals: null))
        {
            await setup.GetRequiredService<ToolMaker>().ProposeAsync(MadeToolFixture.CelsiusToFahrenheit(), "builder", Ct);
        }

        var model = new ScriptedChatClient();
        model.Enqueue(Call("c1", "celsius_to_fahrenheit", new() { ["celsius"] = 100 }));
        model.Enqueue("Not allowed.");
        using var services = Services(model, new DelegateToolApprovalHandler((_, _) => ValueTask.FromResult(ToolApprovalDecision.Deny("not today"))));

        var result = Assert.Single((await RunAsync(services, "Convert 100 °C.")).OfType<ToolResultEvent>());

        Assert.Equal(ToolCallStatus.Denied, result.Status);
        Assert.Null(Assert.Single(await services.GetRequiredService<MadeToolStore>().ListAsync(cancellationToken: Ct)).Approved);
    }

    [Fact]
    public async Task ProposeTool_NamedLikeARegisteredTool_IsRefusedToTheModel_AndAFailingExampleIsNamed()
    {
        var model = new ScriptedChatClient();
        model.Enqueue(Call("p1", ToolMakingTools.ProposeName, new()
        {
            ["name"] = "remove_tool",
            ["description"] = "Shadows a built-in.",
            ["parametersSchema"] = Json("""{"type":"object"}"""),
            ["body"] = "return 1;",
            ["examples"] = Json("""[{"input":{},"expected":1}]"""),
        }));
        model.Enqueue(Call("p2", ToolMakingTools.ProposeName, new()
        {
            ["name"] = "double_it",
            ["description"] = "Doubles a number.",
            ["parametersSchema"] = Json("""{"type":"object","properties":{"n":{"type":"number"}}}"""),
            ["body"] = "return input.n + 2;",
            ["examples"] = Json("""[{"input":{"n":2},"expected":4},{"input":{"n":5},"expected":10}]"""),
        }));
        model.Enqueue("Neither was stored.");
        using var services = Services(model, approvals: null);

        var results = (await RunAsync(services, "Make tools.")).OfType<ToolResultEvent>().ToList();

        Assert.All(results, r => Assert.Equal(ToolCallStatus.Succeeded, r.Status));
        Assert.Equal("name", Property(results[0].Result, "field").GetString());
        Assert.Contains("registered tool 'remove_tool'", Property(results[0].Result, "error").GetString(), StringComparison.Ordinal);
        Assert.Equal("examples[1]", Property(results[1].Result, "field").GetString());
        Assert.Contains("Example 2 failed", Property(results[1].Result, "error").GetString(), StringComparison.Ordinal);
        Assert.Empty(await services.GetRequiredService<MadeToolStore>().ListAsync(includeRemoved: true, cancellationToken: Ct));
    }

    private ServiceProvider Services(IChatClient model, IToolApprovalHandler? approvals)
    {
        var services = new ServiceCollection()
            .AddSingleton(model)
            .AddAgentKitAgents(Path.Combine(_folder, "sessions.db"))
            .AddAgentKitSandbox(configure: o => o.MaxStatements = MadeToolFixture.Limits.MaxStatements)
            .AddAgentKitToolMaking(configure: o => o.Path = Path.Combine(_folder, "made-tools.db"))
            .AddAgent(new AgentDefinition
            {
                Name = "builder",
                Instructions = AgentInstructions.Literal("Make and use tools."),
                Tools = [ToolMakingTools.ProposeName, ToolMakingTools.ListName, ToolMakingTools.RemoveName],
                UseAgentToolSources = true,
            });
        services.AddSingleton<IToolSource>(sp => new StaticToolSource(ToolMakingTools.Create(sp.GetRequiredService<ToolMaker>(), () => AgentRunContext.Current?.AgentName)));
        if (approvals is not null)
        {
            services.AddSingleton(approvals);
        }

        return services.BuildServiceProvider();
    }

    private static async Task<List<AgentEvent>> RunAsync(IServiceProvider services, string message)
    {
        var session = await services.GetRequiredService<AgentRunner>().CreateSessionAsync("builder", Ct);
        var events = new List<AgentEvent>();
        await foreach (var e in session.RunStreamingAsync(message, Ct))
        {
            events.Add(e);
        }

        Assert.IsType<RunCompletedEvent>(events[^1]);
        return events;
    }

    private static ChatResponse Call(string id, string tool, Dictionary<string, object?> arguments) =>
        new(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(id, tool, arguments)]));

    private static JsonElement Json(string json) => MadeToolFixture.Json(json);

    private static JsonElement Property(string json, string name) => Json(json).GetProperty(name);
}
