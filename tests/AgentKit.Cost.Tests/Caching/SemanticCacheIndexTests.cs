using System.Numerics.Tensors;
using AgentKit.Cost.Caching;
using AgentKit.Cost.Tests.Support;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Cost.Tests.Caching;

[Collection(nameof(CacheTests))]
public sealed class SemanticCacheIndexTests(MiniLMFixture miniLM) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void QuantizedScores_StayWithinAHundredthOfExactCosine()
    {
        var random = new Random(3);
        var vectors = new QuantizedVectors(384);
        var stored = Enumerable.Range(0, 500).Select(_ => RandomUnit(random)).ToList();
        for (var i = 0; i < stored.Count; i++)
        {
            vectors.Set($"v{i}", stored[i], long.MaxValue);
        }

        // Queries near some stored vectors, so that high similarities are covered as well as unrelated ones.
        var worst = 0f;
        for (var q = 0; q < 20; q++)
        {
            var query = Near(stored[q], random, 0.3f);
            var best = new TopCandidates(stored.Count);
            vectors.Search(QuantizedVectors.Prepare(query), -2, 0, best);
            Assert.Equal(stored.Count, best.Items.Count);
            foreach (var (score, id) in best.Items)
            {
                worst = Math.Max(worst, Math.Abs(score - TensorPrimitives.CosineSimilarity(query, stored[int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture)])));
            }
        }

        Assert.InRange(worst, 0, 0.01f);
    }

    [Fact]
    public void Remove_MovesLastEntry_AndKeepsEveryOtherFindable()
    {
        var random = new Random(5);
        var vectors = new QuantizedVectors(384);
        var stored = Enumerable.Range(0, 50).Select(_ => RandomUnit(random)).ToList();
        for (var i = 0; i < stored.Count; i++)
        {
            vectors.Set($"v{i}", stored[i], long.MaxValue);
        }

        Assert.True(vectors.Remove("v3"));
        Assert.False(vectors.Remove("v3"));
        vectors.Set("v7", stored[8], long.MaxValue);

        Assert.Equal(49, vectors.Count);
        foreach (var i in new[] { 0, 8, 48, 49 })
        {
            var best = new TopCandidates(3);
            vectors.Search(QuantizedVectors.Prepare(stored[i]), 0.9f, 0, best);
            Assert.Equal(i == 8 ? ["v7", "v8"] : [$"v{i}"], best.Items.Select(c => c.Id).Order());
        }

        foreach (var gone in new[] { 3, 7 })
        {
            var none = new TopCandidates(1);
            vectors.Search(QuantizedVectors.Prepare(stored[gone]), 0.9f, 0, none);
            Assert.Empty(none.Items);
        }
    }

    [Fact]
    public void LargePartition_SearchedInSlices_FindsTheNearestAcrossAllOfThem()
    {
        var random = new Random(11);
        var count = QuantizedVectors.ParallelFrom + 5_000;
        var vectors = new QuantizedVectors(384);
        var query = RandomUnit(random);
        int[] planted = [17, count / 2, count - 3];
        for (var i = 0; i < count; i++)
        {
            var index = Array.IndexOf(planted, i);
            vectors.Set($"v{i}", index < 0 ? RandomUnit(random) : Near(query, random, 0.1f * (index + 1)), long.MaxValue);
        }

        var best = new TopCandidates(5);
        vectors.Search(QuantizedVectors.Prepare(query), 0.5f, 0, best);

        Assert.Equal(planted.Select(i => $"v{i}"), best.Items.Select(c => c.Id));
    }

    [Fact]
    public async Task LargePartition_ConcurrentSearches_EachFindTheirOwnNearest()
    {
        var random = new Random(13);
        var count = QuantizedVectors.ParallelFrom + 9_000;
        var vectors = new QuantizedVectors(384);
        var stored = new float[count][];
        for (var i = 0; i < count; i++)
        {
            stored[i] = RandomUnit(random);
            vectors.Set($"v{i}", stored[i], long.MaxValue);
        }

        // Each query lies near one stored vector spread over every slice; concurrent searches share the pool's helpers.
        var targets = Enumerable.Range(0, 24).Select(q => (q * 1_733) % count).ToList();
        var queries = targets.Select(t => Near(stored[t], random, 0.2f)).ToList();
        var found = await Task.WhenAll(Enumerable.Range(0, 96).Select(n => Task.Run(() =>
        {
            var best = new TopCandidates(2);
            vectors.Search(QuantizedVectors.Prepare(queries[n % queries.Count]), 0.5f, 0, best);
            return (n, best.Items.Select(c => c.Id).ToList());
        })));

        foreach (var (n, ids) in found)
        {
            Assert.Equal([$"v{targets[n % targets.Count]}"], ids);
        }
    }

    [Theory]
    [InlineData(384)]
    [InlineData(37)]
    public void CoarseFilter_NeverDropsARowThe8BitScoreWouldKeep(int dimensions)
    {
        // Rows at every similarity to the query, so that many fall near the threshold where the 4-bit filter decides.
        var random = new Random(17);
        var query = RandomUnit(random, dimensions);
        var vectors = new QuantizedVectors(dimensions);
        for (var i = 0; i < 3_000; i++)
        {
            var row = RandomUnit(random, dimensions);
            var weight = (float)random.NextDouble() * 4;
            TensorPrimitives.MultiplyAdd(query, weight, row, row);
            TensorPrimitives.Divide(row, TensorPrimitives.Norm(row), row);
            vectors.Set($"v{i}", row, long.MaxValue);
        }

        // With room for every row and no threshold nothing is filtered: these are the 8-bit scores of all rows.
        var prepared = QuantizedVectors.Prepare(query);
        var all = new TopCandidates(3_000);
        vectors.Search(prepared, -2, 0, all);
        foreach (var threshold in new[] { 0.3f, 0.6f, 0.8f, 0.9f })
        {
            foreach (var top in new[] { 1, 4, 50 })
            {
                var best = new TopCandidates(top);
                vectors.Search(prepared, threshold, 0, best);
                Assert.Equal(all.Items.Where(c => c.Score >= threshold).Take(top), best.Items);
            }
        }
    }

    [Fact]
    public void Search_SkipsExpiredEntries()
    {
        var vector = RandomUnit(new Random(1));
        var vectors = new QuantizedVectors(384);
        vectors.Set("old", vector, expires: 100);

        var best = new TopCandidates(1);
        vectors.Search(QuantizedVectors.Prepare(vector), 0.5f, now: 100, best);

        Assert.Empty(best.Items);
    }

    [Fact]
    public async Task ReopenedCache_LoadsStoredEntries_AndServesParaphrase()
    {
        var path = _folder.File("reopen.db");
        var model = new ScriptedChatClient((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "shipped")));
        using (var cache = CompletionCache.OpenSqlite(path, miniLM.Generator))
        using (var client = new CompletionCacheChatClient(model, cache))
        {
            await client.GetResponseAsync("What is the status of order SB-10421?");
            await client.GetResponseAsync("When do you open on Sundays?");
        }

        using var reopened = CompletionCache.OpenSqlite(path, miniLM.Generator);
        using var again = new CompletionCacheChatClient(model, reopened);
        var answer = await again.GetResponseAsync("Can you tell me the status of order SB-10421?");

        Assert.Equal(1 + 1, model.CallCount);
        Assert.Equal("semantic", answer.AdditionalProperties?[CompletionCacheRequest.ServedFromKey]);
        Assert.Equal(2, reopened.SemanticEntriesInMemory);
    }

    [Fact]
    public async Task InvalidationAndEviction_RemoveEntriesFromMemory()
    {
        var model = new ScriptedChatClient((_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
        using var cache = CompletionCache.OpenSqlite(_folder.File("sync.db"), miniLM.Generator, new CompletionCacheOptions { Scope = CompletionCacheScope.Agent, MaxEntries = 10 });
        using var client = new CompletionCacheChatClient(model, cache);
        var support = new ChatOptions().WithCacheScope(agentId: "support");
        var sales = new ChatOptions().WithCacheScope(agentId: "sales");
        for (var i = 0; i < 30; i++)
        {
            await client.GetResponseAsync($"Question number {i} about topic {i * 7}", support);
        }

        Assert.InRange(cache.SemanticEntriesInMemory, 1, 11);

        await cache.ClearAsync();
        Assert.Equal(0, cache.SemanticEntriesInMemory);

        await client.GetResponseAsync("Status of order SB-10421?", support);
        await client.GetResponseAsync("Opening hours of the Oslo shop?", support);
        await client.GetResponseAsync("Opening hours of the Oslo shop?", sales);
        Assert.Equal(3, cache.SemanticEntriesInMemory);

        await cache.InvalidateAsync([new ChatMessage(ChatRole.User, "Status of order SB-10421?")], support);
        Assert.Equal(2, cache.SemanticEntriesInMemory);

        await cache.InvalidateScopeAsync(CompletionCacheScope.Agent, agentId: "support");
        Assert.Equal(1, cache.SemanticEntriesInMemory);
        var calls = model.CallCount;
        await client.GetResponseAsync("When is the Oslo shop open?", support);
        Assert.Equal(calls + 1, model.CallCount);
    }

    private static float[] RandomUnit(Random random, int dimensions = 384)
    {
        var vector = new float[dimensions];
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)((random.NextDouble() * 2) - 1);
        }

        TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
        return vector;
    }

    private static float[] Near(float[] vector, Random random, float noise)
    {
        var near = RandomUnit(random);
        TensorPrimitives.MultiplyAdd(vector, 1 / noise, near, near);
        TensorPrimitives.Divide(near, TensorPrimitives.Norm(near), near);
        return near;
    }
}
