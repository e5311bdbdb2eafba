using AgentKit.Abstractions.Embeddings;
using AgentKit.Memory.Tests.Support;
using AgentKit.Rag.Embeddings;
using Microsoft.Extensions.AI;

namespace AgentKit.Memory.Tests;

public sealed class EmbeddingModelChangeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Recall_WithAnotherEmbeddingModelThanTheMemoriesWere_IsRefusedNamingBothModels()
    {
        await using var fixture = new MemoryFixture(dimensions: 64);
        await using (var memory = fixture.Create())
        {
            await memory.RememberAsync(new MemoryScope("a"), "The customer prefers e-mail.", cancellationToken: Ct);
        }

        using var other = new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { Dimensions = 64 });
        await using var changed = new AgentMemory(fixture.Store, other, fixture.Model.Client, fixture.Prompts, null, fixture.Clock);

        var error = await Assert.ThrowsAsync<EmbeddingModelMismatchException>(() => changed.RecallAsync(new MemoryScope("a"), "contact", cancellationToken: Ct));

        Assert.Equal("memories", error.Collection);
        Assert.Equal("known/known", error.StoredModel);
        Assert.Equal("agentkit-hashing/agentkit-hashing-64-bigrams", error.ConfiguredModel);
        Assert.Contains("re-embed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recall_WithTheSameEmbeddingModelAfterReopening_Works()
    {
        await using var fixture = new MemoryFixture(dimensions: 64);
        await using (var memory = fixture.Create())
        {
            await memory.RememberAsync(new MemoryScope("a"), "The customer prefers e-mail.", cancellationToken: Ct);
        }

        await using var reopened = fixture.Create();
        var recalled = await reopened.RecallAsync(new MemoryScope("a"), "The customer prefers e-mail.", cancellationToken: Ct);

        Assert.Single(recalled);
        Assert.Equal("known/known", EmbeddingModelRegistry.ModelId((IEmbeddingGenerator)fixture.Embeddings));
    }
}
