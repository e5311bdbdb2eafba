using AgentKit.Memory.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.VectorData;

namespace AgentKit.Memory.Tests;

public sealed class ReflectionTests
{
    private static readonly MemoryScope Agent = new("planner");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reflection_FiresExactlyAtTheThreshold()
    {
        await using var fixture = new MemoryFixture();
        var memory = fixture.Create();
        for (var i = 0; i < 14; i++)
        {
            Assert.False((await memory.RememberAsync(Agent, $"event {i}", new RememberOptions { Importance = 10 }, Ct)).ReflectionTriggered);
        }

        Assert.False((await memory.RememberAsync(Agent, "event 14", new RememberOptions { Importance = 9 }, Ct)).ReflectionTriggered);
        Assert.Equal(0, fixture.Model.CallsTo(AgentMemory.ReflectQuestionsPrompt));

        var at150 = await memory.RememberAsync(Agent, "event 15", new RememberOptions { Importance = 1 }, Ct);

        Assert.True(at150.ReflectionTriggered);
        Assert.Equal(1, fixture.Model.CallsTo(AgentMemory.ReflectQuestionsPrompt));

        // The sum restarted: one more write does not reflect again.
        Assert.False((await memory.RememberAsync(Agent, "event 16", new RememberOptions { Importance = 10 }, Ct)).ReflectionTriggered);
    }

    [Fact]
    public async Task Reflection_ThatFails_GivesItsImportanceBack_SoTheNextWriteReflects()
    {
        await using var fixture = new MemoryFixture();
        var memory = fixture.Create(new MemoryOptions { ReflectionThreshold = 20 });
        await memory.RememberAsync(Agent, "event a", new RememberOptions { Importance = 10 }, Ct);
        var questions = fixture.Model.Questions;
        fixture.Model.Questions = _ => throw new InvalidOperationException("model down");

        await Assert.ThrowsAnyAsync<Exception>(() => memory.ReflectAsync(Agent.AgentId, Ct));

        fixture.Model.Questions = questions;
        Assert.True((await memory.RememberAsync(Agent, "event b", new RememberOptions { Importance = 10 }, Ct)).ReflectionTriggered);
    }

    [Fact]
    public async Task Reflection_Threshold_CountsMemoriesStoredBeforeARestart()
    {
        await using var fixture = new MemoryFixture();
        var first = fixture.Create(new MemoryOptions { ReflectionThreshold = 20 });
        await first.RememberAsync(Agent, "event a", new RememberOptions { Importance = 10 }, Ct);
        await first.RememberAsync(Agent, "event b", new RememberOptions { Importance = 9 }, Ct);

        var restarted = fixture.Create(new MemoryOptions { ReflectionThreshold = 20 });

        Assert.True((await restarted.RememberAsync(Agent, "event c", new RememberOptions { Importance = 1 }, Ct)).ReflectionTriggered);
    }

    [Fact]
    public async Task Reflection_StoresCitedInsights_WithEvidenceAndDepth_AndDropsInventedIds()
    {
        await using var fixture = new MemoryFixture(dimensions: 3);
        var memory = fixture.Create(new MemoryOptions { ReflectionThreshold = 0 });
        Guid observation = Guid.NewGuid(), insight = Guid.NewGuid(), other = Guid.NewGuid(), evidence = Guid.NewGuid();
        await memory.ImportAsync(
        [
            new MemoryRecord { Id = evidence, Text = "Ann bought paint.", AgentId = "planner", Importance = 3, Embedding = new float[] { 1, 0, 0 } },
            new MemoryRecord { Id = insight, Text = "Ann is redecorating.", AgentId = "planner", Importance = 6, Kind = MemoryKind.Reflection, Depth = 1, EvidenceIds = [evidence], Embedding = new float[] { 0.9f, 0.1f, 0 } },
            new MemoryRecord { Id = observation, Text = "Ann asked about brushes.", AgentId = "planner", Importance = 2, Embedding = new float[] { 0.8f, 0.2f, 0 } },
            new MemoryRecord { Id = other, Text = "Bob's secret.", AgentId = "someone-else", Importance = 9, Embedding = new float[] { 1, 0, 0 } },
        ], Ct);
        fixture.Embeddings.Vectors["What is Ann doing?"] = [1, 0, 0];
        IReadOnlyList<string>? seen = null;
        fixture.Model.Questions = recent => { seen = recent; return new { questions = new[] { "What is Ann doing?" } }; };
        fixture.Model.Insights = (_, shown) => new
        {
            insights = new object[]
            {
                new { text = "Ann is painting her house herself.", evidence = new[] { shown.Single(s => s.Text == "Ann is redecorating.").Id, shown.Single(s => s.Text == "Ann asked about brushes.").Id, "99" } },
                new { text = "Ann is a professional painter.", evidence = new[] { "42" } },
            },
        };
        fixture.Model.Importance = _ => 7;

        var result = await memory.ReflectAsync("planner", Ct);

        Assert.Equal(["Ann asked about brushes.", "Ann bought paint.", "Ann is redecorating."], seen!.Order());
        Assert.Equal(["What is Ann doing?"], result.Questions);
        var stored = Assert.Single(result.Insights);
        Assert.Equal((1, 2), (result.DroppedInsights, result.DroppedEvidenceIds));
        Assert.Equal("Ann is painting her house herself.", stored.Text);
        Assert.Equal(MemoryKind.Reflection, stored.Kind);
        Assert.Equal(2, stored.Depth);
        Assert.Equal(7, stored.Importance);
        Assert.True(stored.EvidenceIds.ToHashSet().SetEquals([insight, observation]));
        var reloaded = (await memory.GetAsync(Agent, stored.Id, Ct))!;
        Assert.Equal(stored.EvidenceIds.Order(), reloaded.EvidenceIds.Order());
        Assert.Equal(2, reloaded.Depth);
        Assert.DoesNotContain(fixture.Model.Client.Calls.SelectMany(c => c.Messages), m => m.Text.Contains("Bob", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HostedService_RunsDueReflectionsOutOfBand()
    {
        await using var fixture = new MemoryFixture();
        fixture.Model.Insights = (_, shown) => new { insights = new[] { new { text = "The user cares about deadlines.", evidence = new[] { shown[0].Id } } } };
        var services = new ServiceCollection()
            .AddSingleton<IChatClient>(fixture.Model.Client)
            .AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(fixture.Embeddings)
            .AddSingleton<VectorStore>(fixture.Store)
            .AddSingleton<TimeProvider>(fixture.Clock)
            .AddAgentKitMemory(o => o.ReflectionThreshold = 10);
        await using var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(Ct);
        }

        var memory = provider.GetRequiredService<AgentMemory>();
        var result = await memory.RememberAsync(Agent, "The user said the report is due Friday.", new RememberOptions { Importance = 10 }, Ct);
        Assert.True(result.ReflectionTriggered);

        IReadOnlyList<MemoryRecord> reflections = [];
        for (var waited = 0; waited < 200 && reflections.Count == 0; waited++)
        {
            await Task.Delay(50, Ct);
            reflections = [.. (await memory.ListRecentAsync(Agent, 10, Ct)).Where(m => m.Kind == MemoryKind.Reflection)];
        }

        foreach (var service in hosted)
        {
            await service.StopAsync(Ct);
        }

        var reflection = Assert.Single(reflections);
        Assert.Equal("The user cares about deadlines.", reflection.Text);
        Assert.Equal([result.Stored!.Id], reflection.EvidenceIds);
    }

    [Fact]
    public void AddAgentKitMemory_InvalidOptions_FailValidation()
    {
        using var provider = new ServiceCollection().AddAgentKitMemory(o => o.CandidateCount = 0).BuildServiceProvider();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<MemoryOptions>>().Value);
        Assert.Contains("Memory:CandidateCount 0 must be between 1 and 10000.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scheduler_DoesNotQueueAnAgentTwice()
    {
        var scheduler = new ReflectionScheduler(capacity: 1);

        Assert.True(scheduler.TrySchedule("a"));
        Assert.True(scheduler.TrySchedule("a"));
        Assert.False(scheduler.TrySchedule("b"));
        Assert.Equal(1, scheduler.Count);
    }
}
