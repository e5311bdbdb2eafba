using System.Diagnostics;
using System.Globalization;
using AgentKit.Cost.Caching;
using AgentKit.Embeddings.MiniLM;
using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Chat;
using AgentKit.Testing;
using AgentKit.VectorStores.Sqlite;
using Microsoft.Extensions.AI;

namespace AgentKit.Bench.Cost;

/// <summary>
/// The completion cache: (1) semantic hit rate on paraphrases and wrong answers served on near-misses over the
/// hand-written request set, for several similarity thresholds; (2) lookup latency with 100k cached entries;
/// (3) a hit against the local engine answering the same request.
/// </summary>
internal static class CacheBenchmark
{
    public static async Task RunAsync(string folder, int entries, bool halfBModel, int modelTokens, bool latencyOnly, IReadOnlyList<double>? thresholds = null)
    {
        using var miniLM = new MiniLMEmbeddingGenerator();
        var requests = CacheRequests.All();
        Console.WriteLine($"Cache: {requests.Count} requests ({requests.Count(r => r.Kind == "base")} base, {requests.Count(r => r.Kind == "paraphrase")} paraphrases, {requests.Count(r => r.Kind == "near-miss")} near-misses); model: oracle (answers each request's key), embeddings: MiniLM");
        Console.WriteLine("threshold | paraphrase hit rate | near-miss served (wrong) | wrong answers served | guard rejections");
        foreach (var threshold in latencyOnly ? [] : thresholds ?? [0.80, 0.85, 0.88, 0.90, 0.92, 0.95])
        {
            await HitRateAsync(folder, miniLM, requests, threshold);
        }

        await LatencyAsync(folder, miniLM, requests, entries, halfBModel, modelTokens);
    }

    private static async Task HitRateAsync(string folder, MiniLMEmbeddingGenerator miniLM, IReadOnlyList<CacheRequest> requests, double threshold)
    {
        var path = Path.Combine(folder, $"hits-{threshold:F2}.db");
        using var cache = CompletionCache.OpenSqlite(path, miniLM, new CompletionCacheOptions { SimilarityThreshold = threshold });
        var keyOf = requests.ToDictionary(r => r.Text, r => r.Key);
        using var oracle = new ScriptedChatClient((messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "answer:" + keyOf[messages[^1].Text])));
        using var client = new CompletionCacheChatClient(oracle, cache);
        int paraphraseHits = 0, nearMissServed = 0, wrong = 0;
        using var listener = new GuardCounter();
        foreach (var request in requests)
        {
            var response = await client.GetResponseAsync(request.Text);
            var served = response.AdditionalProperties?.GetValueOrDefault(CompletionCacheRequest.ServedFromKey) is not null;
            var right = response.Text == "answer:" + request.Key;
            if (served && !right)
            {
                wrong++;
                Console.WriteLine($"    wrong: \"{request.Text}\" got {response.Text}");
            }

            if (served && request.Kind == "paraphrase")
            {
                paraphraseHits++;
            }

            if (served && request.Kind == "near-miss")
            {
                nearMissServed++;
            }
        }

        var paraphrases = requests.Count(r => r.Kind == "paraphrase");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{threshold,9:F2} | {paraphraseHits / (double)paraphrases,19:F3} | {nearMissServed,24} | {wrong,20} | {listener.Count,16}"));
    }

    private static async Task LatencyAsync(string folder, MiniLMEmbeddingGenerator miniLM, IReadOnlyList<CacheRequest> requests, int entries, bool halfBModel, int modelTokens)
    {
        var path = Path.Combine(folder, "latency.db");
        var options = new CompletionCacheOptions { SimilarityThreshold = 0.9, MaxEntries = entries + 10_000 };
        var timed = new TimedEmbeddings(miniLM);

        // Filler: entries random vectors and random entities in the same scope and context as the real requests, so
        // every lookup searches all of them; the exact layer gets the same number of keys.
        var sample = CacheKeyBuilder.Build([new ChatMessage(ChatRole.User, "x")], null, null, "global");
        var fill = Stopwatch.StartNew();
        var random = new Random(7);
        var fillers = new float[entries * 384];
        var response = System.Text.Encoding.UTF8.GetString(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
            new ChatResponse(new ChatMessage(ChatRole.Assistant, "filler answer")), AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatResponse))));
        using (var store = new SqliteVectorStore(path))
        {
            var collection = store.GetCollection<string, SemanticCacheEntry>("completion_cache", SemanticCacheEntry.CreateDefinition(384));
            await collection.EnsureCollectionExistsAsync();
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            for (var start = 0; start < entries; start += 2_000)
            {
                var batch = Enumerable.Range(start, Math.Min(2_000, entries - start)).Select(i => new SemanticCacheEntry
                {
                    Id = $"filler-{i}",
                    Scope = "global",
                    Context = sample.ContextKey,
                    Text = $"filler request {i}",
                    Entities = $"F-{i}",
                    Response = response,
                    Created = now,
                    Expires = now + 86_400_000,
                    Embedding = RandomUnit(random, 384, fillers.AsSpan(i * 384, 384)),
                }).ToList();
                await collection.UpsertAsync(batch);
            }
        }

        using var exact = new SqliteDistributedCache(path, entries + 10_000);
        for (var i = 0; i < entries; i++)
        {
            await exact.SetAsync($"agentkit:completion:filler:{i}", "x"u8.ToArray(), new Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromDays(1) });
        }

        Console.WriteLine($"Filled {entries:N0} semantic + {entries:N0} exact entries in {fill.Elapsed.TotalSeconds:F1} s");

        // Every request's embedding is computed before the timed lookups, so that a lookup "without the embedding"
        // is measured as such, not as a difference; the same lookups are then timed with MiniLM embedding live.
        var embeddings = new SwitchableEmbeddings(timed);
        foreach (var request in requests)
        {
            var text = CacheKeyBuilder.Normalise(request.Text);
            embeddings.Table[text] = (await miniLM.GenerateAsync([text]))[0].Vector;
        }

        using var cache = new CompletionCache(exact, options, new SqliteVectorStore(path), embeddings);
        var keyOf = requests.ToDictionary(r => r.Text, r => r.Key);
        using var oracle = new ScriptedChatClient((messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "answer:" + keyOf.GetValueOrDefault(messages[^1].Text))));
        using var client = new CompletionCacheChatClient(oracle, cache);

        // The first lookup loads every stored vector into the in-memory index.
        embeddings.Live = true;
        var build = Stopwatch.StartNew();
        await client.GetResponseAsync("warm-up request");
        Console.WriteLine($"First lookup (loads {cache.SemanticEntriesInMemory:N0} stored vectors into memory): {build.Elapsed.TotalSeconds:F2} s; managed heap {GC.GetTotalMemory(true) / 1048576.0:F0} MiB");

        var bases = requests.Where(r => r.Kind == "base").ToList();
        var paraphrases = requests.Where(r => r.Kind == "paraphrase").ToList();
        var nearMisses = requests.Where(r => r.Kind == "near-miss").ToList();
        foreach (var request in bases)
        {
            await client.GetResponseAsync(request.Text);
        }

        Console.WriteLine($"Load before timing: {Load()}");
        embeddings.Live = false;
        var exactTimes = await TimeLookupsAsync(cache, bases, rounds: 5);
        var semantic = await TimeLookupsAsync(cache, paraphrases, rounds: 2);
        var misses = await TimeLookupsAsync(cache, nearMisses, rounds: 2);

        // Baseline for the exact layer, same run, same file and keys: the cache's former exact layer, which opened a
        // pooled connection, set a pragma and ran an UPDATE … RETURNING (a write transaction) for every read.
        using (var oldExact = new PerCallConnectionCache(path))
        using (var oldPath = new CompletionCache(oldExact, new CompletionCacheOptions { Semantic = false, MaxEntries = options.MaxEntries }))
        {
            var oldTimes = await TimeLookupsAsync(oldPath, bases, rounds: 5);
            Console.WriteLine($"Exact hit ({exactTimes.Hits.Count} lookups): p50 {P(exactTimes.Hits, 0.5):F3} ms p99 {P(exactTimes.Hits, 0.99):F3} ms; " +
                $"baseline, the former exact layer (connection, pragma and write transaction per read): p50 {P(oldTimes.Hits, 0.5):F3} ms p99 {P(oldTimes.Hits, 0.99):F3} ms → {P(oldTimes.Hits, 0.5) / P(exactTimes.Hits, 0.5):F1}x faster at p50");
        }

        Console.WriteLine($"Semantic hit without the query embedding ({semantic.Hits.Count} lookups): p50 {P(semantic.Hits, 0.5):F3} ms p99 {P(semantic.Hits, 0.99):F3} ms");
        Console.WriteLine($"Miss without the query embedding ({semantic.Misses.Count} paraphrases not found, {misses.Misses.Count} near-misses refused; {misses.Hits.Count} near-misses served): " +
            $"p50 {P([.. semantic.Misses, .. misses.Misses], 0.5):F3} ms p99 {P([.. semantic.Misses, .. misses.Misses], 0.99):F3} ms");

        // The parts of a semantic lookup, timed one by one on the same paraphrases.
        var index = cache.Semantic!;
        var context = CacheKeyBuilder.Build([new ChatMessage(ChatRole.User, "x")], null, null, "global").ContextKey;
        List<double> keysTimes = [], searchTimes = [], readTimes = [];
        foreach (var request in paraphrases)
        {
            var started = Stopwatch.GetTimestamp();
            await exact.GetAsync("agentkit:completion:generation:*");
            await exact.GetAsync("agentkit:completion:generation:global");
            await exact.GetAsync("agentkit:completion:absent-key");
            keysTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var vector = embeddings.Table[CacheKeyBuilder.Normalise(request.Text)];
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            started = Stopwatch.GetTimestamp();
            var found = await index.SearchAsync(vector, "global", context, now, options.SemanticCandidates, options.SimilarityThreshold, default);
            searchTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (found.Count > 0)
            {
                started = Stopwatch.GetTimestamp();
                await index.ReadAsync(found[0].Id, "global", context, now, default);
                readTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        Console.WriteLine($"  of which: exact layer (2 generation tokens + the key, SQLite) p50 {P(keysTimes, 0.5):F3} ms; in-memory search p50 {P(searchTimes, 0.5):F3} ms p99 {P(searchTimes, 0.99):F3} ms; " +
            $"reading the answering entry from the vector store p50 {P(readTimes, 0.5):F3} ms p99 {P(readTimes, 0.99):F3} ms");

        // The same paraphrases with MiniLM embedding each request as it comes.
        embeddings.Live = true;
        timed.Last = 0;
        var live = await TimeLookupsAsync(cache, paraphrases, rounds: 1);
        var embedTimes = timed.Times;
        Console.WriteLine($"Semantic lookup including the MiniLM query embedding ({Environment.ProcessorCount} ONNX threads; {live.Hits.Count + live.Misses.Count} lookups, {live.Hits.Count} hits): p50 {P([.. live.Hits, .. live.Misses], 0.5):F3} ms p99 {P([.. live.Hits, .. live.Misses], 0.99):F3} ms; the embedding alone p50 {P(embedTimes, 0.5):F3} ms");

        // The same with MiniLM on one ONNX thread: no intra-op thread pool spinning beside the search after each embedding.
        using (var oneThread = new MiniLMEmbeddingGenerator(new MiniLMEmbeddingGeneratorOptions { Threads = 1 }))
        {
            var timedOne = new TimedEmbeddings(oneThread);
            await timedOne.GenerateAsync(["warm up"]);
            timedOne.Times.Clear();
            embeddings.LiveOverride = timedOne;
            var liveOne = await TimeLookupsAsync(cache, paraphrases, rounds: 1);
            embeddings.LiveOverride = null;
            Console.WriteLine($"Semantic lookup including the MiniLM query embedding (1 ONNX thread; {liveOne.Hits.Count} hits): p50 {P([.. liveOne.Hits, .. liveOne.Misses], 0.5):F3} ms p99 {P([.. liveOne.Hits, .. liveOne.Misses], 0.99):F3} ms; the embedding alone p50 {P(timedOne.Times, 0.5):F3} ms");
        }

        // Baseline in the same run: an exact one-thread float32 scan of the same vectors for the same queries.
        var scanTimes = new List<double>();
        var queries = paraphrases.Select(r => embeddings.Table[CacheKeyBuilder.Normalise(r.Text)]).ToList();
        foreach (var query in queries)
        {
            var started = Stopwatch.GetTimestamp();
            ScanTop(fillers, query.Span, options.SemanticCandidates);
            scanTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        // The in-memory index's scan alone (int8 codes, the same kernel and slicing as the cache's), same vectors.
        var quantized = new QuantizedVectors(384);
        for (var i = 0; i < entries; i++)
        {
            quantized.Set($"filler-{i}", fillers.AsSpan(i * 384, 384), long.MaxValue);
        }

        var quantizedTimes = new List<double>();
        foreach (var query in queries)
        {
            var started = Stopwatch.GetTimestamp();
            quantized.Search(QuantizedVectors.Prepare(query.Span), (float)options.SimilarityThreshold, 0, new TopCandidates(options.SemanticCandidates));
            quantizedTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        Console.WriteLine($"Baseline, same run: exact float32 TensorPrimitives.Dot scan of the {entries:N0} vectors, top-{options.SemanticCandidates}, one thread: p50 {P(scanTimes, 0.5):F3} ms p99 {P(scanTimes, 0.99):F3} ms " +
            $"→ a semantic hit without the embedding takes {P(semantic.Hits, 0.5) / P(scanTimes, 0.5):F3}x the scan's p50");
        Console.WriteLine($"The in-memory int8 scan alone (caller + {Math.Min(Environment.ProcessorCount, 4) - 1} helper threads from {QuantizedVectors.ParallelFrom:N0} entries): p50 {P(quantizedTimes, 0.5):F3} ms p99 {P(quantizedTimes, 0.99):F3} ms ({P(quantizedTimes, 0.5) / P(scanTimes, 0.5):F3}x the float32 scan)");
        Console.WriteLine($"Load after timing: {Load()}");

        if (modelTokens == 0)
        {
            return;
        }

        // The local engine answering a request, against a semantic hit (embedding included).
        var spec = halfBModel ? TestModelFactory.Qwen2HalfB : TestModelFactory.TinyQwen2;
        Console.WriteLine($"Local model: generated {(halfBModel ? "Qwen2.5-0.5B-shaped (random weights, f16)" : "tiny 64-dim qwen2")} GGUF, {modelTokens} tokens, {Environment.ProcessorCount} threads");
        using var model = await LlamaModel.LoadAsync(TestModelFactory.GetOrCreate(spec));
        using var engine = new LlamaChatClient(model, new LlamaChatClientOptions { Context = new LlamaContextOptions { ContextSize = 2048 }, MaxContexts = 1 });
        var chat = new ChatOptions { MaxOutputTokens = modelTokens, Seed = 1 };
        await engine.GetResponseAsync("warm up", chat);
        var modelTimes = new List<double>();
        foreach (var request in bases.Take(10))
        {
            var started = Stopwatch.GetTimestamp();
            await engine.GetResponseAsync(request.Text, chat);
            modelTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        Console.WriteLine($"Local model p50 {P(modelTimes, 0.5):F1} ms per answer; semantic hit p50 {P(live.Hits, 0.5):F3} ms (MiniLM included) → hit is {P(modelTimes, 0.5) / P(live.Hits, 0.5):F0}x faster (exact hit: {P(modelTimes, 0.5) / P(exactTimes.Hits, 0.5):F0}x)");
    }

    private static int[] ScanTop(float[] vectors, ReadOnlySpan<float> query, int top)
    {
        var best = new (float Score, int Row)[top];
        Array.Fill(best, (float.NegativeInfinity, -1));
        for (var row = 0; row * query.Length < vectors.Length; row++)
        {
            var score = System.Numerics.Tensors.TensorPrimitives.Dot(query, vectors.AsSpan(row * query.Length, query.Length));
            if (score > best[^1].Score)
            {
                var at = top - 1;
                for (; at > 0 && best[at - 1].Score < score; at--)
                {
                    best[at] = best[at - 1];
                }

                best[at] = (score, row);
            }
        }

        return [.. best.Select(b => b.Row)];
    }

    private static ReadOnlyMemory<float> RandomUnit(Random random, int dimensions, Span<float> copy)
    {
        var vector = new float[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] = (float)(random.NextDouble() * 2 - 1);
        }

        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] /= norm;
        }

        vector.CopyTo(copy);
        return vector;
    }

    /// <summary>Times lookups of the requests, <paramref name="rounds"/> times each, split into hits and misses.</summary>
    private static async Task<(List<double> Hits, List<double> Misses)> TimeLookupsAsync(CompletionCache cache, IReadOnlyList<CacheRequest> requests, int rounds)
    {
        List<double> hits = [], misses = [];
        for (var round = 0; round < rounds; round++)
        {
            foreach (var request in requests)
            {
                var started = Stopwatch.GetTimestamp();
                var lookup = await cache.LookupAsync([new ChatMessage(ChatRole.User, request.Text)], null, null, default);
                (lookup.Hit is null ? misses : hits).Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        return (hits, misses);
    }

    private static string Load() => File.Exists("/proc/loadavg") ? "load average " + string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "load average unknown";

    internal static double P(List<double> values, double q)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];
    }

    /// <summary>Times the query embedding.</summary>
    private sealed class TimedEmbeddings(IEmbeddingGenerator<string, Embedding<float>> inner) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public double Last { get; set; }

        public List<double> Times { get; } = [];

        public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var started = Stopwatch.GetTimestamp();
            var result = await base.GenerateAsync(values, options, cancellationToken);
            Last = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Times.Add(Last);
            return result;
        }
    }

    /// <summary>
    /// The benchmark's query embeddings: MiniLM when <see cref="Live"/>, else the vectors MiniLM computed for the
    /// same texts before timing (a text not in the table is embedded live).
    /// </summary>
    private sealed class SwitchableEmbeddings(IEmbeddingGenerator<string, Embedding<float>> live) : DelegatingEmbeddingGenerator<string, Embedding<float>>(live)
    {
        public Dictionary<string, ReadOnlyMemory<float>> Table { get; } = new(StringComparer.Ordinal);

        public bool Live { get; set; }

        /// <summary>Embeds live requests instead of the generator given at construction.</summary>
        public IEmbeddingGenerator<string, Embedding<float>>? LiveOverride { get; set; }

        public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToList();
            if (Live || !texts.TrueForAll(Table.ContainsKey))
            {
                return LiveOverride is { } other ? other.GenerateAsync(texts, options, cancellationToken) : base.GenerateAsync(texts, options, cancellationToken);
            }

            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(texts.Select(t => new Embedding<float>(Table[t]))));
        }
    }

    /// <summary>
    /// The completion cache's former exact layer, kept here as the benchmark's baseline: every read opened a pooled
    /// connection, set a pragma and ran an <c>UPDATE … RETURNING</c> (a write transaction) to move the access time.
    /// Reads only; the benchmark never writes through it.
    /// </summary>
    private sealed class PerCallConnectionCache(string path) : Microsoft.Extensions.Caching.Distributed.IDistributedCache, IDisposable
    {
        private readonly string _connectionString = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();

        public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

        public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
        {
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(_connectionString);
            connection.Open();
            using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA synchronous=NORMAL";
                pragma.ExecuteNonQuery();
            }

            await using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE completion_cache_exact
                SET accessed = $now, expires = CASE WHEN sliding IS NULL THEN expires ELSE min(absolute, $now + sliding) END
                WHERE key = $key AND expires > $now
                RETURNING value
                """;
            command.Parameters.AddWithValue("$key", key);
            command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            return await command.ExecuteScalarAsync(token).ConfigureAwait(false) as byte[];
        }

        public void Set(string key, byte[] value, Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions options) => throw new NotSupportedException("The baseline only reads.");

        public Task SetAsync(string key, byte[] value, Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions options, CancellationToken token = default) => throw new NotSupportedException("The baseline only reads.");

        public void Refresh(string key) => Get(key);

        public Task RefreshAsync(string key, CancellationToken token = default) => GetAsync(key, token);

        public void Remove(string key) => throw new NotSupportedException("The baseline only reads.");

        public Task RemoveAsync(string key, CancellationToken token = default) => throw new NotSupportedException("The baseline only reads.");

        public void Dispose() => Microsoft.Data.Sqlite.SqliteConnection.ClearPool(new Microsoft.Data.Sqlite.SqliteConnection(_connectionString));
    }

    /// <summary>Counts guard rejections from the cache's meter.</summary>
    private sealed class GuardCounter : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private long _count;

        public GuardCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "agentkit.cache.guard_rejections")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
