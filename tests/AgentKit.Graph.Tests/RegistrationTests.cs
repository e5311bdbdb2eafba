using AgentKit.Abstractions.Graph;
using AgentKit.Graph.Tests.Support;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentKit.Graph.Tests;

public sealed class RegistrationTests
{
    [Fact]
    public void AddAgentKitGraph_WithoutAPath_FailsAtStart_NamingTheSetting()
    {
        using var provider = new ServiceCollection().AddAgentKitGraph().BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GraphOptions>>().Value);

        Assert.Contains("AgentKit:Graph:Store", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAgentKitGraph_BindsItsSection_AndServesTheContracts()
    {
        var folder = Directory.CreateTempSubdirectory("agentkit-graph-di-").FullName;
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AgentKit:Graph:Store:Path"] = Path.Combine(folder, "agentkit.db"),
                ["AgentKit:Graph:Search:Hops"] = "3",
            }).Build();
            var services = new ServiceCollection()
                .AddSingleton<IChatClient>(new ScriptedChatClient())
                .AddSingleton(Shared.Embedder)
                .AddAgentKitGraph(configuration.GetSection(GraphOptions.SectionName));
            using (var provider = services.BuildServiceProvider())
            {
                Assert.Equal(3, provider.GetRequiredService<IOptions<GraphOptions>>().Value.Search.Hops);
                Assert.IsType<GraphLocalSearch>(provider.GetRequiredService<IGraphContextSource>());
                Assert.Same(provider.GetRequiredService<GraphIndexer>(), provider.GetRequiredService<IGraphEvidenceSink>());
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
