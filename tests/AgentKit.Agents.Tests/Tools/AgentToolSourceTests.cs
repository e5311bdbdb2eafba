using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Agents.Tests.Tools;

/// <summary>Per-agent tools (<see cref="IAgentToolSource"/>, the tools a model made) joining an agent's allowlisted tools in the catalog.</summary>
public sealed class AgentToolSourceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Resolve_ForAnAgent_AddsItsOwnTools_ButNeverOneNamedLikeARegisteredTool()
    {
        var source = new PerAgentSource();
        var catalog = new ToolCatalog([new StaticToolSource([Tool("lookup", "registered"), Tool("refund", "registered")])], [source]);

        var forAlice = await catalog.ResolveAsync(["lookup"], "alice", Ct);
        var withoutAgent = await catalog.ResolveAsync(["lookup"], Ct);

        Assert.Equal(["lookup", "convert", "twice"], forAlice.Select(t => t.Name));
        Assert.Equal("registered", (await forAlice[0].InvokeAsync(new AIFunctionArguments(), Ct))?.ToString());
        Assert.Equal(["alice"], source.Asked);
        Assert.Equal(["lookup"], withoutAgent.Select(t => t.Name));
        Assert.DoesNotContain("convert", (await catalog.GetAllAsync(Ct)).Keys);
    }

    [Fact]
    public async Task AgentRun_OffersTheAgentsOwnTools_OnlyWhenTheDefinitionAsksForThem()
    {
        foreach (var use in new[] { true, false })
        {
            var model = new AgentKit.Testing.ScriptedChatClient("done");
            using var harness = new AgentHarness(model, [AgentHarness.Agent(tools: ["lookup"]) with { UseAgentToolSources = use }], [Tool("lookup", "registered")],
                configure: s => s.AddSingleton<IAgentToolSource>(new PerAgentSource()));
            var session = await harness.Runner.CreateSessionAsync("helper", Ct);

            await session.RunAsync("hi", Ct);

            Assert.Equal(use ? ["lookup", "convert", "twice"] : ["lookup"], model.Calls[0].Options!.Tools!.Select(t => t.Name));
        }
    }

    private static AIFunction Tool(string name, string result) => AIFunctionFactory.Create(() => result, name);

    private sealed class PerAgentSource : IAgentToolSource
    {
        public List<string> Asked { get; } = [];

        public ValueTask<IReadOnlyList<AIFunction>> GetToolsAsync(string agentName, CancellationToken cancellationToken)
        {
            Asked.Add(agentName);
            return ValueTask.FromResult<IReadOnlyList<AIFunction>>([Tool("lookup", "made, shadowing"), Tool("convert", "made"), Tool("twice", "made"), Tool("twice", "made again")]);
        }
    }
}
