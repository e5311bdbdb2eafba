using AgentKit.Cost.Caching;
using AgentKit.Cost.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;

namespace AgentKit.Cost.Tests.Caching;

[Collection(nameof(CacheTests))]
public sealed class SqliteDistributedCacheTests(MiniLMFixture miniLM) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task SetGetRemove_RoundTrip_AndSurviveReopen()
    {
        var path = _folder.File("exact.db");
        var cache = new SqliteDistributedCache(path);
        await cache.SetStringAsync("k", "v");
        Assert.Equal("v", await new SqliteDistributedCache(path).GetStringAsync("k"));

        await cache.RemoveAsync("k");
        Assert.Null(await cache.GetStringAsync("k"));
    }

    [Fact]
    public async Task AbsoluteAndSlidingExpiry_AreHonoured()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero));
        var cache = new SqliteDistributedCache(_folder.File("exact.db"), timeProvider: clock);
        await cache.SetStringAsync("absolute", "a", new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) });
        await cache.SetStringAsync("sliding", "s", new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(2), AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) });

        clock.Now += TimeSpan.FromMinutes(1.5);
        Assert.Equal("s", await cache.GetStringAsync("sliding"));
        clock.Now += TimeSpan.FromMinutes(1.5);
        Assert.Equal("s", await cache.GetStringAsync("sliding"));
        Assert.Equal("a", await cache.GetStringAsync("absolute"));
        clock.Now += TimeSpan.FromMinutes(2.5);
        Assert.Null(await cache.GetStringAsync("sliding"));
        Assert.Null(await cache.GetStringAsync("absolute"));
    }

    [Fact]
    public async Task SizeBound_EvictsLeastRecentlyUsed()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero));
        var cache = new SqliteDistributedCache(_folder.File("exact.db"), maxEntries: 20, timeProvider: clock);
        for (var i = 0; i < 100; i++)
        {
            clock.Now += TimeSpan.FromSeconds(1);
            await cache.SetStringAsync($"k{i}", "v");
            if (i > 0)
            {
                // Keeps k0 the most recently used.
                Assert.Equal("v", await cache.GetStringAsync("k0"));
            }
        }

        Assert.InRange(await cache.CountAsync(), 1, 20);
        Assert.Equal("v", await cache.GetStringAsync("k0"));
        Assert.Equal("v", await cache.GetStringAsync("k99"));
        Assert.Null(await cache.GetStringAsync("k50"));
    }

    [Fact]
    public void NotASqliteFile_FailsNamingTheFile()
    {
        var path = _folder.File("garbage.db");
        File.WriteAllText(path, new string('x', 4096));

        var error = Assert.Throws<InvalidOperationException>(() => new SqliteDistributedCache(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SemanticLayer_StaysWithinItsBound()
    {
        using var cache = CompletionCache.OpenSqlite(_folder.File("bound.db"), miniLM.Generator, new CompletionCacheOptions { MaxEntries = 10 });
        using var client = new CompletionCacheChatClient(new AgentKit.Testing.ScriptedChatClient((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))), cache);
        for (var i = 0; i < 40; i++)
        {
            await client.GetResponseAsync($"Question number {i} about topic {i * 7}");
        }

        using var store = new AgentKit.VectorStores.Sqlite.SqliteVectorStore(_folder.File("bound.db"));
        var collection = store.GetCollection<string, SemanticCacheEntry>("completion_cache", SemanticCacheEntry.CreateDefinition(384));
        var count = 0;
        await foreach (var _ in collection.GetAsync(e => e.Created >= 0, 1000))
        {
            count++;
        }

        Assert.InRange(count, 1, 11);
        Assert.InRange(await new SqliteDistributedCache(_folder.File("bound.db")).CountAsync(), 1, 10 + 2);
    }

    [Fact]
    public void Options_RefuseOutOfRangeValues()
    {
        var options = new CompletionCacheOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.SimilarityThreshold = 0.2);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.SimilarityThreshold = double.NaN);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.TimeToLive = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxEntries = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.SemanticCandidates = 100);
    }
}
