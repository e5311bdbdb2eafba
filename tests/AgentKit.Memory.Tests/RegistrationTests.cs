using AgentKit.Memory.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Memory.Tests;

public sealed class RegistrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void AddAgentKitMemory_WithoutStoreOrModels_FailsValidationNamingEach()
    {
        using var provider = new ServiceCollection().AddAgentKitMemory().BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MemoryOptions>>().Value);
        Assert.Contains("Memory: no VectorStore service is registered", error.Message, StringComparison.Ordinal);
        Assert.Contains("Memory: no IChatClient service is registered", error.Message, StringComparison.Ordinal);
        Assert.Contains("Memory: no IEmbeddingGenerator<string, Embedding<float>> service is registered", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddAgentKitMemory_KeysNotRegistered_FailValidationNamingTheKeys()
    {
        await using var fixture = new MemoryFixture();
        using var provider = new ServiceCollection()
            .AddSingleton<IChatClient>(fixture.Model.Client)
            .AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(fixture.Embeddings)
            .AddSingleton<VectorStore>(fixture.Store)
            .AddAgentKitMemory(o =>
            {
                o.VectorStoreKey = "memories";
                o.ChatClientKey = "rater";
                o.EmbeddingGeneratorKey = "embedder";
            })
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MemoryOptions>>().Value);
        Assert.Contains("Memory:VectorStoreKey: no VectorStore service is registered under the key 'memories'.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Memory:ChatClientKey: no IChatClient service is registered under the key 'rater'.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Memory:EmbeddingGeneratorKey: no IEmbeddingGenerator<string, Embedding<float>> service is registered under the key 'embedder'.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddAgentKitMemory_WithVectorStoreKey_KeepsMemoriesInThatStore()
    {
        await using var fixture = new MemoryFixture();
        await using var other = new MemoryFixture();
        await using var provider = new ServiceCollection()
            .AddSingleton<IChatClient>(fixture.Model.Client)
            .AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(fixture.Embeddings)
            .AddSingleton<VectorStore>(other.Store)
            .AddKeyedSingleton<VectorStore>("memories", fixture.Store)
            .AddAgentKitMemory(o =>
            {
                o.VectorStoreKey = "memories";
                o.BackgroundReflection = false;
            })
            .BuildServiceProvider();

        var memory = provider.GetRequiredService<AgentMemory>();
        await memory.RememberAsync(new MemoryScope("helper"), "The user prefers e-mail.", new RememberOptions { Importance = 3 }, Ct);

        var options = provider.GetRequiredService<IOptions<MemoryOptions>>().Value;
        Assert.True(await fixture.Store.CollectionExistsAsync(options.CollectionName, Ct));
        Assert.False(await other.Store.CollectionExistsAsync(options.CollectionName, Ct));
    }
}
