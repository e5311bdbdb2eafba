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
    public static async Task RunAsync(string folder, int entries, bool halfBModel, int modelTokens, bool latencyOnly)
    {
        using var miniLM = new MiniLMEmbeddingGenerator();
        var requests = CacheRequests.All();
        Console.WriteLine($"Cache: {requests.Count} requests ({requests.Count(r => r.Kind == "base")} base, {requests.Count(r => r.Kind == "paraphrase")} paraphrases, {requests.Count(r => r.Kind == "near-miss")} near-misses); model: oracle (answers each request's key), embeddings: MiniLM");
        Console.WriteLine("threshold | paraphrase hit rate | near-miss served (wrong) | wrong answers served | guard rejections");
        foreach (var threshold in latencyOnly ? [] : new[] { 0.80, 0.85, 0.88, 0.90, 0.92, 0.95 })
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

        var exact = new SqliteDistributedCache(path, entries + 10_000);
        for (var i = 0; i < entries; i++)
        {
            await exact.SetAsync($"agentkit:completion:filler:{i}", "x"u8.ToArray(), new Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromDays(1) });
        }

        Console.WriteLine($"Filled {entries:N0} semantic + {entries:N0} exact entries in {fill.Elapsed.TotalSeconds:F1} s");

        using var cache = new CompletionCache(exact, options, new SqliteVectorStore(path), timed);
        var keyOf = requests.ToDictionary(r => r.Text, r => r.Key);
        using var oracle = new ScriptedChatClient((messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "answer:" + keyOf.GetValueOrDefault(messages[^1].Text))));
        using var client = new CompletionCacheChatClient(oracle, cache);

        // The first lookup loads every stored vector into the in-memory index.
        var build = Stopwatch.StartNew();
        await client.GetResponseAsync("warm-up request");
        Console.WriteLine($"First lookup (loads {cache.SemanticEntriesInMemory:N0} stored vectors into memory): {build.Elapsed.TotalSeconds:F2} s; managed heap {GC.GetTotalMemory(true) / 1048576.0:F0} MiB");

        var bases = requests.Where(r => r.Kind == "base").ToList();
        foreach (var request in bases)
        {
            await client.GetResponseAsync(request.Text);
        }

        var exactTimes = new List<double>();
        foreach (var request in bases)
        {
            var started = Stopwatch.GetTimestamp();
            await cache.LookupAsync([new ChatMessage(ChatRole.User, request.Text)], null, null, default);
            exactTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var semanticTimes = new List<double>();
        var withoutEmbedding = new List<double>();
        var scanTimes = new List<double>();
        var queries = new List<ReadOnlyMemory<float>>();
        var semanticHits = 0;
        foreach (var request in requests.Where(r => r.Kind == "paraphrase"))
        {
            timed.Last = 0;
            var started = Stopwatch.GetTimestamp();
            var lookup = await cache.LookupAsync([new ChatMessage(ChatRole.User, request.Text)], null, null, default);
            var total = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            semanticTimes.Add(total);
            withoutEmbedding.Add(total - timed.Last);
            semanticHits += lookup.Hit is null ? 0 : 1;

            // Baseline in the same run: an exact one-thread float32 scan of the same vectors for the same query.
            started = Stopwatch.GetTimestamp();
            ScanTop(fillers, timed.LastVector.Span, options.SemanticCandidates);
            scanTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            queries.Add(timed.LastVector);
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

        Console.WriteLine($"Lookup with {entries:N0} entries: exact hit p50 {P(exactTimes, 0.5):F3} ms p95 {P(exactTimes, 0.95):F3} ms; " +
            $"semantic lookup p50 {P(semanticTimes, 0.5):F3} ms p95 {P(semanticTimes, 0.95):F3} ms including the MiniLM query embedding, " +
            $"p50 {P(withoutEmbedding, 0.5):F3} ms p95 {P(withoutEmbedding, 0.95):F3} ms without it ({semanticHits}/{semanticTimes.Count} hits)");
        Console.WriteLine($"Baseline, same run: exact float32 TensorPrimitives.Dot scan of the {entries:N0} vectors, top-{options.SemanticCandidates}, one thread: p50 {P(scanTimes, 0.5):F3} ms p95 {P(scanTimes, 0.95):F3} ms " +
            $"→ lookup without the embedding is {P(withoutEmbedding, 0.5) / P(scanTimes, 0.5):F2}x the scan's p50");
        Console.WriteLine($"Of which the in-memory int8 scan alone ({Math.Min(Environment.ProcessorCount, 4)} slices from {QuantizedVectors.ParallelFrom:N0} entries): p50 {P(quantizedTimes, 0.5):F3} ms p95 {P(quantizedTimes, 0.95):F3} ms ({P(quantizedTimes, 0.5) / P(scanTimes, 0.5):F2}x the float32 scan)");

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

        Console.WriteLine($"Local model p50 {P(modelTimes, 0.5):F1} ms per answer; semantic hit p50 {P(semanticTimes, 0.5):F3} ms → hit is {P(modelTimes, 0.5) / P(semanticTimes, 0.5):F0}x faster (exact hit: {P(modelTimes, 0.5) / P(exactTimes, 0.5):F0}x)");
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

    internal static double P(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];
    }

    /// <summary>Times the query embedding, so lookup latency can be reported with and without it.</summary>
    private sealed class TimedEmbeddings(IEmbeddingGenerator<string, Embedding<float>> inner) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public double Last { get; set; }

        public ReadOnlyMemory<float> LastVector { get; private set; }

        public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var started = Stopwatch.GetTimestamp();
            var result = await base.GenerateAsync(values, options, cancellationToken);
            Last += Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            LastVector = result[^1].Vector;
            return result;
        }
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
