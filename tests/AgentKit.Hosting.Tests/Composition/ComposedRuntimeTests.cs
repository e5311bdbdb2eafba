using AgentKit.Abstractions.Tools;
using AgentKit.Agents;
using AgentKit.Agents.Events;
using AgentKit.Agents.Tools;
using AgentKit.Hosting.Models;
using AgentKit.Memory.Agents;
using AgentKit.Planning;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentKit.Hosting.Tests.Composition;

/// <summary>What the configuration composes: tools from plugins and MCP servers, agents with memory and planners, the chat pipelines.</summary>
public sealed class ComposedRuntimeTests : IDisposable
{
    private readonly TestHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private HostApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        var builder = _hosts.Builder(CompositionSettings.RemoteModelsWith(settings));
        builder.AddAgentKit();
        return builder;
    }

    [Fact]
    public async Task PluginTypeAndMcpServer_BecomeToolsInTheOneCatalog_AndAnAgentCallsThem()
    {
        var model = new ScriptedChatClient();
        model.Enqueue(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "reverse", new Dictionary<string, object?> { ["text"] = "abc" })])));
        model.Enqueue(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c2", "GreetingPlugin_greet", new Dictionary<string, object?> { ["name"] = "Ada" })])));
        model.Enqueue("Done.");
        var builder = Builder(new()
        {
            ["AgentKit:Tools:PluginTypes:0"] = typeof(GreetingPlugin).AssemblyQualifiedName,
            ["AgentKit:Tools:McpServers:test:Command"] = "dotnet",
            ["AgentKit:Tools:McpServers:test:Arguments:0"] = CompositionSettings.McpTestServer(),
            ["AgentKit:Agents:support:Instructions"] = "Help.",
            ["AgentKit:Agents:support:Tools:0"] = "reverse",
            ["AgentKit:Agents:support:Tools:1"] = "GreetingPlugin_greet",
        });
        builder.Services.AddKeyedSingleton<IChatClient>(ModelKeys.ForAgents("chat"), model);
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);

        var tools = await host.Services.GetRequiredService<ToolCatalog>().GetAllAsync(TestContext.Current.CancellationToken);
        Assert.Contains("reverse", tools.Keys);
        Assert.Contains("InventoryPlugin_stock", tools.Keys);
        Assert.Contains("GreetingPlugin_greet", tools.Keys);

        var session = await host.Services.GetRequiredService<AgentRunner>().CreateSessionAsync("support", TestContext.Current.CancellationToken);
        var results = new List<ToolResultEvent>();
        await foreach (var evt in session.RunStreamingAsync("Go.", TestContext.Current.CancellationToken))
        {
            if (evt is ToolResultEvent result)
            {
                results.Add(result);
            }
        }

        Assert.Equal(["reverse", "GreetingPlugin_greet"], results.Select(r => r.ToolName));
        Assert.All(results, r => Assert.Equal(ToolCallStatus.Succeeded, r.Status));
        Assert.Contains("cba", results[0].Result, StringComparison.Ordinal);
        Assert.Contains("Hello, Ada!", results[1].Result, StringComparison.Ordinal);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task CodePlugin_OffersRunCode_AndAnAgentRunsAProgramWithinTheConfiguredLimits()
    {
        var model = new ScriptedChatClient();
        model.Enqueue(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "run_code", new Dictionary<string, object?> { ["code"] = "console.log(12 * 34)" })])));
        model.Enqueue(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c2", "run_code", new Dictionary<string, object?> { ["code"] = "while (true) {}" })])));
        model.Enqueue("408.");
        var builder = Builder(new()
        {
            ["AgentKit:Tools:Plugins:0"] = "code",
            ["AgentKit:Sandbox:MaxStatements"] = "5000",
            ["AgentKit:Agents:analyst:Instructions"] = "Compute.",
            ["AgentKit:Agents:analyst:Tools:0"] = "run_code",
        });
        builder.Services.AddKeyedSingleton<IChatClient>(ModelKeys.ForAgents("chat"), model);
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);

        var session = await host.Services.GetRequiredService<AgentRunner>().CreateSessionAsync("analyst", TestContext.Current.CancellationToken);
        var results = new List<ToolResultEvent>();
        await foreach (var evt in session.RunStreamingAsync("What is 12 times 34?", TestContext.Current.CancellationToken))
        {
            if (evt is ToolResultEvent result)
            {
                results.Add(result);
            }
        }

        Assert.Equal(["run_code", "run_code"], results.Select(r => r.ToolName));
        Assert.Contains("408", results[0].Result, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Sandbox:MaxStatements", results[1].Result, StringComparison.Ordinal);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task AgentDefinedInCodeWithoutAChatClientKey_RunsOnTheDefaultModelsAgentPipeline()
    {
        var model = new ScriptedChatClient("Hello from the agents' pipeline.");
        var builder = Builder([]);
        builder.Services.AddKeyedSingleton<IChatClient>(ModelKeys.ForAgents("chat"), model);
        builder.Services.AddAgent(new AgentDefinition { Name = "coded", Instructions = AgentInstructions.Literal("Hi.") });
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);

        // The unkeyed client invokes functions (for direct use); an agent must not get it.
        Assert.NotNull(host.Services.GetRequiredService<IChatClient>().GetService<FunctionInvokingChatClient>());
        var session = await host.Services.GetRequiredService<AgentRunner>().CreateSessionAsync("coded", TestContext.Current.CancellationToken);
        var result = await session.RunAsync("Hi?", TestContext.Current.CancellationToken);

        Assert.Equal(AgentRunOutcome.Completed, result.Outcome);
        Assert.Equal("Hello from the agents' pipeline.", result.Text);
        Assert.Equal(1, model.CallCount);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void ConfigureChatPipeline_AddsTheApplicationsLayer_ToBothPipelinesOfThatModelOnly()
    {
        var builder = Builder(new()
        {
            ["AgentKit:Models:other:Provider"] = "OpenAI",
            ["AgentKit:Models:other:Endpoint"] = "http://127.0.0.1:9/v1",
            ["AgentKit:Models:other:ApiKey"] = "k",
            ["AgentKit:Models:other:Model"] = "m",
            ["AgentKit:DefaultChatModel"] = "chat",
        });
        builder.ConfigureChatPipeline("chat", b => b.Use(inner => new MarkerChatClient(inner)));
        using var host = builder.Build();

        Assert.NotNull(host.Services.GetRequiredKeyedService<IChatClient>("chat").GetService<MarkerChatClient>());
        Assert.NotNull(host.Services.GetRequiredKeyedService<IChatClient>(ModelKeys.ForAgents("chat")).GetService<MarkerChatClient>());
        Assert.Null(host.Services.GetRequiredKeyedService<IChatClient>("other").GetService<MarkerChatClient>());

        // Inside function invocation: the layer sees each round trip.
        var direct = host.Services.GetRequiredKeyedService<IChatClient>("chat");
        Assert.NotNull(direct.GetService<FunctionInvokingChatClient>()!.GetService<MarkerChatClient>());
    }

    [Fact]
    public async Task AgentMemoryPlannerAndKnowledge_AreComposedFromTheAgentsSection()
    {
        Directory.CreateDirectory(Path.Combine(_hosts.ContentRoot, "docs"));
        var builder = Builder(new()
        {
            ["AgentKit:Knowledge:policies:Sources:0"] = "docs",
            ["AgentKit:Agents:support:Instructions"] = "Help.",
            ["AgentKit:Agents:support:Knowledge:0"] = "policies",
            ["AgentKit:Agents:support:Memory:Scope"] = "Session",
            ["AgentKit:Agents:support:Planner:Kind"] = "sc",
            ["AgentKit:Agents:support:Planner:UseTools"] = "true",
            ["AgentKit:Agents:support:Planner:MaxCalls"] = "4",
        });
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);

        var agent = host.Services.GetRequiredService<AgentRunner>().GetAgent("support");
        Assert.Equal(["search_knowledge"], agent.Tools);
        Assert.IsType<MemoryAgentHook>(agent.Memory);
        var planner = Assert.IsType<PlanningAgentPlanner>(agent.Planner);
        Assert.Equal("sc", planner.Planner);
        Assert.True(planner.UseAgentTools);
        Assert.Equal(4, planner.Budget!.MaxCalls);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task PlannerAddedInCode_IsSelectableByNameInConfiguration()
    {
        var builder = Builder(new()
        {
            ["AgentKit:Agents:solver:Instructions"] = "Solve.",
            ["AgentKit:Agents:solver:Planner:Kind"] = "Echo",
        });
        builder.Services.AddAgentKitPlanner<EchoPlanner>("echo");
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);

        var planner = host.Services.GetRequiredService<IPlannerFactory>().Create("ECHO");
        Assert.IsType<EchoPlanner>(planner);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    private sealed class MarkerChatClient(IChatClient inner) : DelegatingChatClient(inner);

    private sealed class EchoPlanner : IPlanner
    {
        public string Name => "echo";

        public bool UsesTools => false;

        public Task<PlanningResult> RunAsync(IChatClient client, PlanningRequest request, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("Only selected by name in this test.");
    }
}
