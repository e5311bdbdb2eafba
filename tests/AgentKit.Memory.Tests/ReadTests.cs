using AgentKit.Memory.Tests.Support;

namespace AgentKit.Memory.Tests;

public sealed class ReadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Query (1,0,0). Hand-computed: recency 0.995^h normalised over {0.995^10, 0.995^1, 0.995^100, 1}; importance
    // {2,9,5,1} → {0.125, 1, 0.5, 0}; cosine {1, 0.6, 0, 0.8} → itself (min 0, max 1).
    private static async Task<Dictionary<string, Guid>> SeedAsync(MemoryFixture fixture, AgentMemory memory)
    {
        fixture.Embeddings.Vectors["query"] = [1, 0, 0];
        var seeds = new (string Name, float[] Vector, int Importance, double HoursAgo)[]
        {
            ("m1", [1, 0, 0], 2, 10),
            ("m2", [0.6f, 0.8f, 0], 9, 1),
            ("m3", [0, 1, 0], 5, 100),
            ("m4", [0.8f, 0.6f, 0], 1, 0),
        };
        var ids = new Dictionary<string, Guid>();
        await memory.ImportAsync(seeds.Select(s =>
        {
            ids[s.Name] = Guid.NewGuid();
            return new MemoryRecord
            {
                Id = ids[s.Name], Text = s.Name, AgentId = "a", Importance = s.Importance, Embedding = s.Vector,
                Created = MemoryFixture.Start.AddDays(-10), LastAccessed = MemoryFixture.Start.AddHours(-s.HoursAgo),
            };
        }), Ct);
        await memory.ImportAsync([new MemoryRecord { Text = "other agent", AgentId = "b", Importance = 10, Embedding = new float[] { 1, 0, 0 } }], Ct);
        return ids;
    }

    [Fact]
    public async Task Recall_OrderAndScores_EqualHandComputedValues()
    {
        await using var fixture = new MemoryFixture(dimensions: 3);
        var memory = fixture.Create();
        await SeedAsync(fixture, memory);

        var recalled = await memory.RecallAsync(new MemoryScope("a"), "query", cancellationToken: Ct);

        Assert.Equal(["m2", "m1", "m4", "m3"], recalled.Select(r => r.Record.Text));
        Assert.Equal([2.587317, 2.000986, 1.8, 0.5], recalled.Select(r => Math.Round(r.Score, 6)));
        Assert.Equal([0.6, 1, 0.8, 0], recalled.Select(r => Math.Round(r.Similarity, 6)));
    }

    [Fact]
    public async Task Recall_WithWeights_ChangesOrderAsComputed()
    {
        await using var fixture = new MemoryFixture(dimensions: 3);
        var memory = fixture.Create(new MemoryOptions { RelevanceWeight = 3 });
        await SeedAsync(fixture, memory);

        var recalled = await memory.RecallAsync(new MemoryScope("a"), "query", cancellationToken: Ct);

        Assert.Equal(["m1", "m2", "m4", "m3"], recalled.Select(r => r.Record.Text));
        Assert.Equal([4.000986, 3.787317, 3.4, 0.5], recalled.Select(r => Math.Round(r.Score, 6)));
    }

    [Fact]
    public async Task Recall_NeverReturnsAnotherAgentsMemories()
    {
        await using var fixture = new MemoryFixture(dimensions: 3);
        var memory = fixture.Create();
        await SeedAsync(fixture, memory);

        var recalled = await memory.RecallAsync(new MemoryScope("a"), "query", cancellationToken: Ct);

        Assert.DoesNotContain(recalled, r => r.Record.AgentId != "a");
        Assert.Equal(4, recalled.Count);
    }

    [Fact]
    public async Task Recall_TokenBudget_SkipsWhatDoesNotFitAndKeepsOrder()
    {
        await using var fixture = new MemoryFixture(dimensions: 3);
        var memory = fixture.Create(new MemoryOptions { TokenCounter = text => text == "m1" ? 50 : 10 });
        await SeedAsync(fixture, memory);

        var recalled = await memory.RecallAsync(new MemoryScope("a"), "query", new RecallOptions { TokenBudget = 25 }, Ct);

        Assert.Equal(["m2", "m4"], recalled.Select(r => r.Record.Text));
    }

    [Fact]
    public async Task Recall_UpdatesLastAccessed_InBatches_AndRecencyUsesItAtOnce()
    {
        await using var fixture = new MemoryFixture(dimensions: 3);
        var memory = fixture.Create(new MemoryOptions { AccessFlushBatchSize = 3 });
        var ids = await SeedAsync(fixture, memory);
        var reader = fixture.Create();
        fixture.Clock.Advance(TimeSpan.FromHours(5));

        var first = await memory.RecallAsync(new MemoryScope("a"), "query", new RecallOptions { MaxResults = 1 }, Ct);
        Assert.Equal("m2", first[0].Record.Text);

        // Not written yet (one pending access, batch of 3), but this instance already sees it.
        Assert.Equal(MemoryFixture.Start.AddHours(-1), (await reader.GetAsync(new MemoryScope("a"), ids["m2"], Ct))!.LastAccessed);
        Assert.Equal(fixture.Clock.Now, (await memory.GetAsync(new MemoryScope("a"), ids["m2"], Ct))!.LastAccessed);

        await memory.RecallAsync(new MemoryScope("a"), "query", new RecallOptions { MaxResults = 3 }, Ct);
        var stored = await reader.GetAsync(new MemoryScope("a"), ids["m1"], Ct);
        Assert.Equal(fixture.Clock.Now, stored!.LastAccessed);
        Assert.Equal(fixture.Clock.Now, (await reader.GetAsync(new MemoryScope("a"), ids["m2"], Ct))!.LastAccessed);
        Assert.Equal(MemoryFixture.Start.AddHours(-100), (await reader.GetAsync(new MemoryScope("a"), ids["m3"], Ct))!.LastAccessed);
    }

    [Fact]
    public async Task Recall_WithoutAccessUpdate_LeavesTimes()
    {
        await using var fixture = new MemoryFixture(dimensions: 3);
        var memory = fixture.Create();
        var ids = await SeedAsync(fixture, memory);
        fixture.Clock.Advance(TimeSpan.FromHours(1));

        await memory.RecallAsync(new MemoryScope("a"), "query", new RecallOptions { UpdateLastAccessed = false }, Ct);
        await memory.FlushAsync(Ct);

        Assert.Equal(MemoryFixture.Start.AddHours(-10), (await memory.GetAsync(new MemoryScope("a"), ids["m1"], Ct))!.LastAccessed);
    }

    [Fact]
    public void Options_Invalid_AreRejectedWithTheirNames()
    {
        var errors = new MemoryOptions { CandidateCount = 0, RecencyDecayPerHour = 1.5, RelevanceWeight = -1 }.Validate();

        Assert.Contains(errors, e => e.Contains("Memory:CandidateCount 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("RecencyDecayPerHour", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("RelevanceWeight", StringComparison.Ordinal));
        Assert.Empty(new MemoryOptions().Validate());
    }
}
