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
    public async Task AccessTimesOfReads_SurviveDispose_AndDecideEvictionAfterReopen()
    {
        var path = _folder.File("recency.db");
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero));
        using (var cache = new SqliteDistributedCache(path, maxEntries: 10, timeProvider: clock))
        {
            for (var i = 0; i < 10; i++)
            {
                clock.Now += TimeSpan.FromSeconds(1);
                await cache.SetStringAsync($"k{i}", "v");
            }

            // The oldest write becomes the most recently used; its access time is pending in memory until Dispose.
            clock.Now += TimeSpan.FromSeconds(1);
            Assert.Equal("v", await cache.GetStringAsync("k0"));
        }

        using var reopened = new SqliteDistributedCache(path, maxEntries: 10, timeProvider: clock);
        clock.Now += TimeSpan.FromSeconds(1);
        await reopened.SetStringAsync("k10", "v");

        Assert.Equal("v", await reopened.GetStringAsync("k0"));
        Assert.Null(await reopened.GetStringAsync("k1"));
        Assert.Equal(9, await reopened.CountAsync());
    }

    [Fact]
    public async Task SlidingExpiry_MovedByARead_IsSeenByAnotherInstanceAtOnce()
    {
        var path = _folder.File("sliding.db");
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero));
        using var first = new SqliteDistributedCache(path, timeProvider: clock);
        using var second = new SqliteDistributedCache(path, timeProvider: clock);
        await first.SetStringAsync("s", "v", new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(2) });

        clock.Now += TimeSpan.FromMinutes(1.5);
        Assert.Equal("v", await first.GetStringAsync("s"));
        clock.Now += TimeSpan.FromMinutes(1.5);

        Assert.Equal("v", await second.GetStringAsync("s"));
    }

    [Fact]
    public async Task ConcurrentReadersAndWriters_MoreThanThePool_AllComplete_WithTheirValues()
    {
        using var cache = new SqliteDistributedCache(_folder.File("concurrent.db"));
        for (var i = 0; i < 50; i++)
        {
            await cache.SetStringAsync($"stable{i}", $"value{i}");
        }

        var callers = Enumerable.Range(0, SqliteDistributedCache.MaxReaders * 4).Select(caller => Task.Run(async () =>
        {
            for (var round = 0; round < 40; round++)
            {
                var i = (caller + round) % 50;
                Assert.Equal($"value{i}", await cache.GetStringAsync($"stable{i}"));
                await cache.SetStringAsync($"churn{caller}-{round}", "x");
                if (round % 5 == 0)
                {
                    await cache.RemoveAsync($"churn{caller}-{round}");
                    Assert.Null(cache.Get($"churn{caller}-{round}"));
                }
            }
        }));

        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(50 + (SqliteDistributedCache.MaxReaders * 4 * 32), await cache.CountAsync());
    }

    [Fact]
    public async Task Disposed_RefusesCalls_WithObjectDisposed()
    {
        var cache = new SqliteDistributedCache(_folder.File("disposed.db"));
        await cache.SetStringAsync("k", "v");
        cache.Dispose();
        cache.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => cache.GetAsync("k"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => cache.SetStringAsync("k", "w"));
        Assert.Throws<ObjectDisposedException>(() => cache.Remove("k"));
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
