using AgentKit.Abstractions.Tools;
using AgentKit.Agents;
using AgentKit.Agents.Events;
using AgentKit.Agents.Tools;
using AgentKit.Hosting.Models;
using AgentKit.Memory.Agents;
using AgentKit.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentKit.Hosting.Tests.Composition;

/// <summary>Starts a host from samples/Configured/appsettings.json itself, in the sample's build output folder.</summary>
public sealed class ConfiguredSampleTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("agentkit-configured-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // SQLite files may still be closing; the temp folder is cleaned by the OS.
        }
    }

    [Fact]
    public async Task SampleAppSettings_StartsAHost_WhoseAgentCallsTheMcpServerAndHasKnowledgeAndMemory()
    {
        var repository = FindRepository();
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = Path.Combine(repository, "samples", "Configured", "bin", configuration, "net10.0"),
            DisableDefaults = true,
        });
        builder.Configuration.AddJsonFile(Path.Combine(repository, "samples", "Configured", "appsettings.json"), optional: false);

        // Tests run offline: generated models instead of downloads, and a data folder of their own.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AgentKit:Models:chat:Path"] = TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2),
            ["AgentKit:Models:embeddings:Kind"] = "Embedding",
            ["AgentKit:Models:embeddings:Path"] = TestModelFactory.GetOrCreate(TestModelFactory.TinyBert),
            ["AgentKit:Storage:Directory"] = _data,
        });
        builder.AddAgentKit();
        var model = new ScriptedChatClient();
        model.Enqueue(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "shipping_delivery_days", new Dictionary<string, object?> { ["country"] = "DE" })])));
        model.Enqueue("Two working days.");
        builder.Services.AddKeyedSingleton<IChatClient>(ModelKeys.ForAgents("chat"), model);
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);

        var tools = await host.Services.GetRequiredService<ToolCatalog>().GetAllAsync(TestContext.Current.CancellationToken);
        Assert.Subset(tools.Keys.ToHashSet(), new HashSet<string> { "shipping_delivery_days", "search_knowledge", "remember", "recall", "forget" });
        var agent = host.Services.GetRequiredService<AgentRunner>().GetAgent("support");
        Assert.Contains("search_knowledge", agent.Tools);
        Assert.IsType<MemoryAgentHook>(agent.Memory);

        var session = await host.Services.GetRequiredService<AgentRunner>().CreateSessionAsync("support", TestContext.Current.CancellationToken);
        ToolResultEvent? shipped = null;
        await foreach (var evt in session.RunStreamingAsync("How long does delivery to Germany take?", TestContext.Current.CancellationToken))
        {
            shipped ??= evt as ToolResultEvent;
        }

        Assert.NotNull(shipped);
        Assert.Equal(ToolCallStatus.Succeeded, shipped.Status);
        Assert.Contains("2 working days to DE", shipped.Result, StringComparison.Ordinal);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    private static string FindRepository()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "AgentKit.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("The repository root (AgentKit.sln) was not found above the test folder.");
    }
}
