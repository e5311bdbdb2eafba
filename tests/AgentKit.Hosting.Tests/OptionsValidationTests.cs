using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Tests;

public sealed class OptionsValidationTests : IDisposable
{
    private readonly TestHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    [Fact]
    public async Task Start_WithMoreThreadsThanCores_FailsNamingTheKeyAndTheCores()
    {
        var builder = _hosts.Builder(new Dictionary<string, string?>
        {
            ["AgentKit:Models:chat:Download"] = "owner/repo/model.gguf",
            ["AgentKit:Models:chat:Threads"] = (Environment.ProcessorCount + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.AddAgentKit();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("AgentKit:Models:chat:Threads", error.Message, StringComparison.Ordinal);
        Assert.Contains($"oversubscribe the {Environment.ProcessorCount} cores", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithMissingModelFile_FailsNamingTheKeyAndPath()
    {
        var builder = _hosts.Builder(new Dictionary<string, string?>
        {
            ["AgentKit:Models:chat:Path"] = "models/missing.gguf",
        });
        builder.AddAgentKit();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("AgentKit:Models:chat:Path", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_hosts.ContentRoot, "models", "missing.gguf"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithEveryKindOfBadValue_ReportsEachKey()
    {
        var builder = _hosts.Builder(new Dictionary<string, string?>
        {
            ["AgentKit:Models:local:Download"] = "not-a-reference",
            ["AgentKit:Models:local:ContextSize"] = "4",
            ["AgentKit:Models:local:Threads"] = "0",
            ["AgentKit:Models:local:MaxQueuedRequests"] = "-1",
            ["AgentKit:Models:local:QueueTimeout"] = "00:00:00",
            ["AgentKit:Models:local:PrefillChunkTokens"] = "0",
            ["AgentKit:Models:remote:Provider"] = "OpenAI",
            ["AgentKit:Models:remote:Endpoint"] = "ftp://example.invalid/",
            ["AgentKit:DefaultEmbeddingModel"] = "local",
            ["AgentKit:DefaultChatModel"] = "nope",
            ["AgentKit:ChatPipeline:ResponseCacheMegabytes"] = "0",
        });
        builder.AddAgentKit();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        string[] keys =
        [
            "AgentKit:Models:local:Download", "AgentKit:Models:local:ContextSize", "AgentKit:Models:local:Threads",
            "AgentKit:Models:local:MaxQueuedRequests", "AgentKit:Models:local:QueueTimeout", "AgentKit:Models:local:PrefillChunkTokens",
            "AgentKit:Models:remote:Endpoint", "AgentKit:Models:remote:Model", "AgentKit:Models:remote:ApiKey",
            "AgentKit:DefaultEmbeddingModel", "AgentKit:DefaultChatModel", "AgentKit:ChatPipeline:ResponseCacheMegabytes",
        ];
        foreach (var key in keys)
        {
            Assert.Contains(key, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Start_WithBadAgents_ReportsEachKey()
    {
        var builder = _hosts.Builder(new Dictionary<string, string?>
        {
            ["AgentKit:Models:embed:Provider"] = "OpenAI",
            ["AgentKit:Models:embed:Kind"] = "Embedding",
            ["AgentKit:Models:embed:Endpoint"] = "http://127.0.0.1:9/v1",
            ["AgentKit:Models:embed:ApiKey"] = "k",
            ["AgentKit:Models:embed:Model"] = "m",
            ["AgentKit:Agents:noinstructions:Model"] = "embed",
            ["AgentKit:Agents:ghost:Instructions"] = "Hi.",
            ["AgentKit:Agents:ghost:Model"] = "missing",
            ["AgentKit:Agents:limits:Instructions"] = "prompt:agents/x",
            ["AgentKit:Agents:limits:MaxSteps"] = "0",
            ["AgentKit:Agents:limits:Temperature"] = "9",
            ["AgentKit:Agents:limits:Timeout"] = "-00:00:01",
        });
        builder.AddAgentKit();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        string[] keys =
        [
            "AgentKit:Agents:noinstructions:Instructions", "AgentKit:Agents:noinstructions:Model",
            "AgentKit:Agents:ghost:Model", "AgentKit:Agents:limits:Model", "AgentKit:Agents:limits:MaxSteps",
            "AgentKit:Agents:limits:Temperature", "AgentKit:Agents:limits:Timeout",
        ];
        foreach (var key in keys)
        {
            Assert.Contains(key, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Start_WithBadToolSelection_ReportsEachKey()
    {
        var builder = _hosts.Builder(new Dictionary<string, string?>
        {
            ["AgentKit:Models:chat:Provider"] = "OpenAI",
            ["AgentKit:Models:chat:Endpoint"] = "http://127.0.0.1:9/v1",
            ["AgentKit:Models:chat:ApiKey"] = "k",
            ["AgentKit:Models:chat:Model"] = "m",
            ["AgentKit:Agents:picker:Instructions"] = "Hi.",
            ["AgentKit:Agents:picker:Model"] = "chat",
            ["AgentKit:Agents:picker:Tools:0"] = "run_code",
            ["AgentKit:Agents:picker:ToolSelection:TopK"] = "0",
            ["AgentKit:Agents:picker:ToolSelection:FindTopK"] = "51",
            ["AgentKit:Agents:picker:ToolSelection:AlwaysOn:0"] = "run_code",
            ["AgentKit:Agents:picker:ToolSelection:AlwaysOn:1"] = "delete_everything",
        });
        builder.AddAgentKit();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("AgentKit:Agents:picker:ToolSelection:TopK", error.Message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Agents:picker:ToolSelection:FindTopK", error.Message, StringComparison.Ordinal);
        Assert.Contains("AgentKit:Agents:picker:ToolSelection:AlwaysOn:1: 'delete_everything' is not one of the agent's tools", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AlwaysOn:0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithNoModels_StartsAndStops()
    {
        var builder = _hosts.Builder(new Dictionary<string, string?>());
        builder.AddAgentKit();
        using var host = builder.Build();

        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }
}
