using AgentKit.Agents;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Tests.Composition;

/// <summary>One test per class of misconfiguration: each is refused at start, before any request, naming its key.</summary>
public sealed class StartupValidationTests : IDisposable
{
    private readonly TestHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private async Task<string> StartFailureAsync(Dictionary<string, string?> settings, Action<IHostApplicationBuilder>? configure = null)
    {
        var builder = _hosts.Builder(CompositionSettings.RemoteModelsWith(settings));
        builder.AddAgentKit();
        configure?.Invoke(builder);
        using var host = builder.Build();
        var error = await Record.ExceptionAsync(() => host.StartAsync(TestContext.Current.CancellationToken));

        // Failures of several options types come together in an AggregateException.
        var failures = error is AggregateException all ? all.InnerExceptions : [Assert.IsType<OptionsValidationException>(error)];
        Assert.All(failures, f => Assert.IsType<OptionsValidationException>(f));
        return string.Join(Environment.NewLine, failures.Select(f => f.Message));
    }

    [Fact]
    public async Task UnknownToolName_OnAnAgent_NamesTheKeyAndTheRegisteredTools()
    {
        var message = await StartFailureAsync(new()
        {
            ["AgentKit:Tools:PluginTypes:0"] = typeof(GreetingPlugin).AssemblyQualifiedName,
            ["AgentKit:Agents:support:Instructions"] = "Help.",
            ["AgentKit:Agents:support:Tools:0"] = "GreetingPlugin_greet",
            ["AgentKit:Agents:support:Tools:1"] = "search_web",
        });

        Assert.Contains("AgentKit:Agents:support:Tools:1: no tool named 'search_web' is registered", message, StringComparison.Ordinal);
        Assert.Contains("Registered tools: GreetingPlugin_greet", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Tools:0", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownToolName_OnAnAgentDefinedInCode_IsRefusedToo()
    {
        var message = await StartFailureAsync([], b => b.Services.AddAgent(new AgentDefinition
        {
            Name = "coded",
            Instructions = AgentInstructions.Literal("Hi."),
            Tools = ["nothing_here"],
        }));

        Assert.Contains("Agent 'coded' (registered in code): no tool named 'nothing_here'", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KnowledgeBaseUsingTheGraph_WithoutAgentKitGraph_NamesTheKey()
    {
        Directory.CreateDirectory(Path.Combine(_hosts.ContentRoot, "docs"));
        var message = await StartFailureAsync(new()
        {
            ["AgentKit:Knowledge:docs:Sources:0"] = "docs",
            ["AgentKit:Knowledge:docs:UseGraph"] = "true",
        });

        Assert.Contains("AgentKit:Knowledge:docs:UseGraph: the base feeds and reads the knowledge graph, and none is configured", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GraphPlugin_WithoutAgentKitGraph_NamesTheKey()
    {
        var message = await StartFailureAsync(new() { ["AgentKit:Tools:Plugins:0"] = "graph" });

        Assert.Contains("AgentKit:Tools:Plugins:0: the built-in plugin 'graph' searches the knowledge graph, and none is configured", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadGraphSettings_NameTheirKeys()
    {
        var message = await StartFailureAsync(new()
        {
            ["AgentKit:Graph:ChatClientKey"] = "embed",
            ["AgentKit:Graph:Communities:MinMembers"] = "1",
            ["AgentKit:Graph:GlobalSearch:MaxMapCalls"] = "0",
        });

        Assert.Contains("AgentKit:Graph:ChatClientKey: 'embed' is an Embedding model", message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Graph:Communities: ", message, StringComparison.Ordinal);
        Assert.Contains("CommunitySummaryOptions.MinMembers", message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Graph:GlobalSearch: ", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownBuiltInPlugin_NamesTheKeyAndTheBuiltIns()
    {
        var message = await StartFailureAsync(new() { ["AgentKit:Tools:Plugins:0"] = "websearch" });

        Assert.Contains("AgentKit:Tools:Plugins:0: no built-in plugin is named 'websearch'; the built-in plugins are knowledge, memory", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CodePlugin_WithASandboxLimitOutOfRange_FailsNamingTheKey()
    {
        var message = await StartFailureAsync(new() { ["AgentKit:Tools:Plugins:0"] = "code", ["AgentKit:Sandbox:MaxStatements"] = "0" });

        Assert.Contains("AgentKit:Sandbox:MaxStatements", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownPluginType_NamesTheKey()
    {
        var message = await StartFailureAsync(new() { ["AgentKit:Tools:PluginTypes:0"] = "Contoso.Plugins.Missing, Contoso" });

        Assert.Contains("AgentKit:Tools:PluginTypes:0: no type named 'Contoso.Plugins.Missing, Contoso' could be loaded", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingMcpCommand_NamesTheKey()
    {
        var message = await StartFailureAsync(new()
        {
            ["AgentKit:Tools:McpServers:files:Command"] = "agentkit-no-such-mcp-server",
            ["AgentKit:Tools:McpServers:both:Command"] = "dotnet",
            ["AgentKit:Tools:McpServers:both:Url"] = "http://127.0.0.1:9/mcp",
        });

        Assert.Contains("AgentKit:Tools:McpServers:files:Command: the program 'agentkit-no-such-mcp-server' was not found", message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Tools:McpServers:both: set either Command", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task McpServerThatExitsAtOnce_StopsStartUp_NamingTheKey()
    {
        var message = await StartFailureAsync(new()
        {
            ["AgentKit:Tools:McpServers:broken:Command"] = "dotnet",
            ["AgentKit:Tools:McpServers:broken:Arguments:0"] = Path.Combine(_hosts.ContentRoot, "missing.dll"),
            ["AgentKit:Tools:StartTimeout"] = "00:00:20",
        });

        Assert.Contains("AgentKit:Tools:McpServers:broken: the MCP server", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownKnowledgeBase_OnAnAgent_NamesTheKeyAndTheConfiguredBases()
    {
        var message = await StartFailureAsync(new()
        {
            ["AgentKit:Knowledge:policies:Sources:0"] = "docs",
            ["AgentKit:Agents:support:Instructions"] = "Help.",
            ["AgentKit:Agents:support:Knowledge:0"] = "manuals",
        });

        Assert.Contains("AgentKit:Agents:support:Knowledge:0: no knowledge base is named 'manuals' under AgentKit:Knowledge (configured: policies)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownPromptFile_NamesTheKey()
    {
        var message = await StartFailureAsync(new() { ["AgentKit:Agents:support:Instructions"] = "prompt:agents/no-such-prompt" });

        Assert.Contains("AgentKit:Agents:support:Instructions: no prompt file is named 'agents/no-such-prompt'", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownModelKey_OnAnAgent_NamesTheKey()
    {
        var message = await StartFailureAsync(new()
        {
            ["AgentKit:Agents:support:Instructions"] = "Help.",
            ["AgentKit:Agents:support:Model"] = "gpt-nope",
        });

        Assert.Contains("AgentKit:Agents:support:Model: no model named 'gpt-nope' under AgentKit:Models", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatModelUsedForEmbeddings_NamesTheKey()
    {
        var message = await StartFailureAsync(new()
        {
            ["AgentKit:Memory:EmbeddingGeneratorKey"] = "chat",
            ["AgentKit:Agents:support:Instructions"] = "Help.",
            ["AgentKit:Agents:support:Memory:Enabled"] = "true",
        });

        Assert.Contains("AgentKit:Memory:EmbeddingGeneratorKey: 'chat' is a Chat model; this needs an Embedding model", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmbeddingModelUsedForChat_NamesTheKey()
    {
        var message = await StartFailureAsync(new()
        {
            ["AgentKit:Agents:support:Instructions"] = "Help.",
            ["AgentKit:Agents:support:Model"] = "embed",
        }, b => b.ConfigureChatPipeline("embed", _ => { }));

        Assert.Contains("AgentKit:Agents:support:Model: 'embed' is an Embedding model; this needs a Chat model", message, StringComparison.Ordinal);
        Assert.Contains("ConfigureChatPipeline(\"embed\"): 'embed' is an Embedding model", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContextTokenBudget_LargerThanTheModelsContext_NamesBothKeys()
    {
        File.WriteAllBytes(Path.Combine(_hosts.ContentRoot, "local.gguf"), [0]);
        var message = await StartFailureAsync(new()
        {
            ["AgentKit:Models:local:Path"] = "local.gguf",
            ["AgentKit:DefaultChatModel"] = "local",
            ["AgentKit:Agents:shop:Instructions"] = "Sell.",
            ["AgentKit:Agents:shop:ContextTokenBudget"] = "6000",
        });

        Assert.Contains("AgentKit:Agents:shop:ContextTokenBudget: 6000 tokens is more than the context of its model 'local' (4096 tokens, AgentKit:Models:local:ContextSize)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownPlannerKind_NamesTheKeyAndTheRegisteredPlanners()
    {
        var message = await StartFailureAsync(new()
        {
            ["AgentKit:Agents:solver:Instructions"] = "Solve.",
            ["AgentKit:Agents:solver:Planner:Kind"] = "monte-carlo",
        });

        Assert.Contains("AgentKit:Agents:solver:Planner:Kind: no planner is named 'monte-carlo'", message, StringComparison.Ordinal);
        Assert.Contains("self-consistency", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutOfRangePlannerOptions_NameTheirKeys()
    {
        var message = await StartFailureAsync(new()
        {
            ["AgentKit:Planning:ReAct:MaxSteps"] = "0",
            ["AgentKit:Planning:DefaultPlanner"] = "oracle",
            ["AgentKit:Agents:solver:Instructions"] = "Solve.",
            ["AgentKit:Agents:solver:Planner:Kind"] = "react",
            ["AgentKit:Agents:solver:Planner:MaxCalls"] = "0",
        });

        Assert.Contains("AgentKit:Planning:ReAct:MaxSteps:", message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Planning:DefaultPlanner: no planner is named 'oracle'", message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Agents:solver:Planner:MaxCalls: must be positive", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MemoryToolsWithoutMemory_NameTheKey()
    {
        var message = await StartFailureAsync(new()
        {
            ["AgentKit:Tools:Plugins:0"] = "memory",
            ["AgentKit:Agents:support:Instructions"] = "Help.",
            ["AgentKit:Agents:support:Tools:0"] = "remember",
        });

        Assert.Contains("AgentKit:Agents:support:Memory: the agent lists the memory tools (remember) but has no memory", message, StringComparison.Ordinal);
    }
}
