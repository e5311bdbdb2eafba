using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Chat;
using AgentKit.Memory.Tests.Support;
using AgentKit.Testing;

namespace AgentKit.Memory.Tests;

/// <summary>
/// The memory's structured-output calls on a generated GGUF model through <see cref="LlamaChatClient"/>: the answers
/// are nonsense (random weights), but every call runs grammar-constrained, parses and is applied.
/// </summary>
public sealed class LocalModelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RateReconcileAndReflect_OnALocalModel()
    {
        using var model = await LlamaModel.LoadAsync(TestModelFactory.GetOrCreate(TestModelFactory.TinyQwen2));
        using var chat = new LlamaChatClient(model, new LlamaChatClientOptions
        {
            Context = new LlamaContextOptions { ContextSize = 4096, BatchSize = 512, MicroBatchSize = 512 },
            MaxJsonStringLength = 12,
        });
        await using var fixture = new MemoryFixture();
        var memory = fixture.Create(new MemoryOptions { ReflectionThreshold = 0, ReflectionQuestionCount = 1, MaxInsightsPerQuestion = 2 }, chat: chat);
        var scope = new MemoryScope("local", "s1");

        var observation = await memory.RememberAsync(scope, "The user asked where order 1042 is.", cancellationToken: Ct);
        await memory.RememberAsync(scope, "The user lives in Ghent.", new RememberOptions { Kind = MemoryKind.Fact, Importance = 4 }, Ct);
        var fact = await memory.RememberAsync(scope, "The user lives in Ghent, Veldstraat 3.", new RememberOptions { Kind = MemoryKind.Fact }, Ct);
        var reflection = await memory.ReflectAsync("local", Ct);

        Assert.InRange(observation.Importance, 1, 10);
        Assert.InRange(fact.Importance, 1, 10);
        Assert.NotEmpty(fact.Changes);
        Assert.InRange(reflection.Questions.Count, 1, 1);
        Assert.All(reflection.Insights, i => Assert.Equal(1, i.Depth));
        Assert.All(reflection.Insights, i => Assert.NotEmpty(i.EvidenceIds));
        Assert.NotEmpty(await memory.ListRecentAsync(scope, 10, Ct));
    }
}
