using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Sessions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentKit.Agents.Tests;

/// <summary>Builds an application's services around a chat client, tools and agents, with sessions in a temp SQLite file.</summary>
internal sealed class AgentHarness : IDisposable
{
    private readonly ServiceProvider _services;

    public AgentHarness(IChatClient chat, IEnumerable<AgentDefinition> agents, IEnumerable<AIFunction>? tools = null, string? databasePath = null,
        Action<IServiceCollection>? configure = null, Action<ToolPipelineOptions>? configureTools = null)
    {
        DatabasePath = databasePath ?? TempFiles.NewDatabasePath();
        var services = new ServiceCollection()
            .AddSingleton(chat)
            .AddAgentKitAgents(DatabasePath, configureTools)
            .AddAgentKitTools(tools ?? []);
        foreach (var agent in agents)
        {
            services.AddAgent(agent);
        }

        configure?.Invoke(services);
        _services = services.BuildServiceProvider();
    }

    public string DatabasePath { get; }

    public IServiceProvider Services => _services;

    public AgentRunner Runner => _services.GetRequiredService<AgentRunner>();

    public static AgentDefinition Agent(string name = "helper", IReadOnlyList<string>? tools = null, AgentLimits? limits = null) => new()
    {
        Name = name,
        Instructions = AgentInstructions.Literal("You are a helpful test agent."),
        Tools = tools ?? [],
        Limits = limits ?? new AgentLimits(),
    };

    public void Dispose() => _services.Dispose();
}

internal static class TempFiles
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "agentkit-agents-tests", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static string NewDatabasePath()
    {
        Directory.CreateDirectory(Root);
        return Path.Combine(Root, Guid.NewGuid().ToString("N") + ".db");
    }
}
