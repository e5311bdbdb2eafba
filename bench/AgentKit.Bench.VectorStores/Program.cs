using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using AgentKit.VectorStores.Sqlite;
using AgentKit.VectorStores.Sqlite.Search;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.VectorData;

// Vector store figures for issue #4. Usage: AgentKit.Bench.VectorStores [exactCount] [hnswCount] [dimensions]
// Defaults: 100,000 vectors for upsert and exact search, 200,000 clustered vectors for HNSW, 384 dimensions.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var exactCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var hnswCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
var dimensions = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 384;
var folder = Path.Combine(Path.GetTempPath(), "agentkit-bench-vectorstores-" + Environment.ProcessId);
Directory.CreateDirectory(folder);
Console.WriteLine($"# Vector store benchmark: {Environment.ProcessorCount} cores, {dimensions} dimensions, .NET {Environment.Version}");
try
{
    if (exactCount > 0)
    {
        await ExactAsync(Path.Combine(folder, "exact.db"), exactCount, dimensions);
    }

    if (hnswCount > 0)
    {
        await HnswAsync(Path.Combine(folder, "hnsw.db"), hnswCount, dimensions);
    }
}
finally
{
    SqliteConnection.ClearAllPools();
    if (Directory.Exists(folder))
    {
        Directory.Delete(folder, recursive: true);
    }
}

static async Task ExactAsync(string path, int count, int dimensions)
{
    var random = new Random(7);
    var vectors = Enumerable.Range(0, count).Select(_ => RandomUnit(random, dimensions)).ToArray();
    var queries = Enumerable.Range(0, 100).Select(_ => RandomUnit(random, dimensions)).ToArray();
    Console.WriteLine($"load average before the exact part: {LoadAverage()}");
    await UpsertAsync(path + ".warmup", vectors[..Math.Min(vectors.Length, 5000)], SqliteDurability.Normal);
    var fullRate = await UpsertAsync(path + ".full", vectors, SqliteDurability.Full);
    var normalRate = await UpsertAsync(path, vectors, SqliteDurability.Normal);
    Console.WriteLine($"upsert {count} x {dimensions}, batches of 1000: Durability.Normal (default) {normalRate:F0} vectors/s; Durability.Full {fullRate:F0} vectors/s");

    var storeOptions = new SqliteVectorStoreOptions();
    using var store = new SqliteVectorStore(path, storeOptions);
    var collection = (SqliteCollection<int, BenchRecord>)store.GetCollection<int, BenchRecord>("exact", Definition(dimensions, IndexKind.Flat));
    var load = Stopwatch.StartNew();
    await collection.WarmUpAsync();
    Console.WriteLine($"vector cache load (reopen): {load.ElapsedMilliseconds} ms, {collection.IndexStatistics()[0].CacheBytes / 1048576.0:F0} MiB");

    // The same scan kernel as the store's, over a cache built here: the store's cost minus SQLite and the record fetch.
    var flat = new float[(long)count * dimensions];
    var cache = new VectorCache(dimensions, VectorDistance.Parse(DistanceFunction.CosineSimilarity, "Embedding"), count);
    for (var i = 0; i < count; i++)
    {
        vectors[i].CopyTo(flat, (long)i * dimensions);
        cache.Append(i + 1, vectors[i]);
    }

    // The in-memory evaluation alone, over the Group column kept beside the bench's own cache.
    cache.KeepScalars(["Group"]);
    for (var i = 0; i < count; i++)
    {
        cache.Scalars!.Set(i, [(long)(i % 10)]);
    }

    var model = new AgentKit.VectorStores.Sqlite.Schema.SqliteModelBuilder().Build(typeof(BenchRecord), typeof(int), Definition(dimensions, IndexKind.Flat), null);
    var excludedGroup = 101;
    var halfPlan = AgentKit.VectorStores.Sqlite.Filtering.SqliteFilterTranslator.Translate((System.Linq.Expressions.Expression<Func<BenchRecord, bool>>)(r => r.Group < 5 && r.Group != excludedGroup), model, "t").Plan!;

    using var raw = new SqliteConnection($"Data Source={path}");
    raw.Open();
    using var filterSql = raw.CreateCommand();
    filterSql.CommandText = "SELECT CAST(group_concat(__rid) AS BLOB) FROM exact WHERE \"Group\" < 5";
    var halfRowIds = (byte[])filterSql.ExecuteScalar()!;
    var fresh = 0;
    var written = 0;
    var times = MeasureInterleaved(queries, new (string, Action<float[]>)[]
    {
        ("baseline", q => RawScan(flat, dimensions, q, 10)),
        ("kernel1", q => ExactScan.Run(cache, Prepare(q), 0, 10, cache.Live, 1)),
        ("kernel", q => ExactScan.Run(cache, Prepare(q), 0, 10, cache.Live, Environment.ProcessorCount)),
        ("unfiltered", q => Search(collection, q, null)),
        ("ten", q => Search(collection, q, r => r.Group == 3)),
        ("half", q => Search(collection, q, r => r.Group < 5)),
        ("halfAfterWrite", q => Search(collection, q, r => r.Group < 5)),
        ("halfFresh", q =>
        {
            // Another parameter value every time, so nothing is cached; the condition stays on the covering index.
            var excluded = 100 + (++fresh);
            Search(collection, q, r => r.Group < 5 && r.Group != excluded);
        }),
        ("halfFreshSql", q =>
        {
            // The store as it was before in-memory filters: a first-use filter runs in SQL.
            var excluded = 100 + (++fresh);
            storeOptions.InMemoryFilters = false;
            try
            {
                Search(collection, q, r => r.Group < 5 && r.Group != excluded);
            }
            finally
            {
                storeOptions.InMemoryFilters = true;
            }
        }),
        ("tenFresh", q =>
        {
            var excluded = 100 + (++fresh);
            Search(collection, q, r => r.Group == 3 && r.Group != excluded);
        }),
        ("filterSql", _ => filterSql.ExecuteScalar()),
        ("bitmap", _ => cache.SlotsOf(halfRowIds)),
        ("evaluate", _ => halfPlan.Evaluate(cache.Scalars!, cache.SlotCount)),
    }, new Dictionary<string, Action>
    {
        // 64 records rewritten (same values) before every query, untimed: the filter stays cached across them.
        ["halfAfterWrite"] = () =>
        {
            var ids = Enumerable.Range(written, 64).Select(i => i % count).ToList();
            written += 64;
            collection.UpsertAsync(ids.Select(i => new BenchRecord { Id = i, Group = i % 10, Embedding = vectors[i] }).ToList()).GetAwaiter().GetResult();
        },
    });
    var baseline = times["baseline"];
    var unfiltered = times["unfiltered"];
    Console.WriteLine($"baseline: raw TensorPrimitives.Dot scan over an in-memory array, one thread, top-10: p50 {baseline.P50:F2} ms, p95 {baseline.P95:F2} ms");
    Console.WriteLine($"store scan kernel alone, one thread: p50 {times["kernel1"].P50:F2} ms ({times["kernel1"].P50 / baseline.P50:F2}x baseline); {Environment.ProcessorCount} threads: p50 {times["kernel"].P50:F2} ms ({times["kernel"].P50 / baseline.P50:F2}x baseline)");
    Console.WriteLine($"store exact top-10, unfiltered: p50 {unfiltered.P50:F2} ms, p95 {unfiltered.P95:F2} ms ({unfiltered.P50 / baseline.P50:F2}x baseline)");
    Console.WriteLine($"store exact top-10, filter Group == 3 (10%), repeated: p50 {times["ten"].P50:F2} ms ({times["ten"].P50 / unfiltered.P50:F2}x unfiltered)");
    Console.WriteLine($"store exact top-10, filter Group < 5 (50%), repeated: p50 {times["half"].P50:F2} ms ({times["half"].P50 / unfiltered.P50:F2}x unfiltered)");
    Console.WriteLine($"store exact top-10, filter Group < 5 (50%), repeated, 64 records upserted before every query (not timed): p50 {times["halfAfterWrite"].P50:F2} ms ({times["halfAfterWrite"].P50 / unfiltered.P50:F2}x unfiltered)");
    Console.WriteLine($"store exact top-10, filter Group < 5 (50%), a new filter every query: p50 {times["halfFresh"].P50:F2} ms ({times["halfFresh"].P50 / unfiltered.P50:F2}x unfiltered)");
    Console.WriteLine($"  of which the filter evaluated in memory over the indexed Group column: p50 {times["evaluate"].P50:F3} ms ({times["evaluate"].P50 / unfiltered.P50:F3}x unfiltered)");
    Console.WriteLine($"store exact top-10, filter Group < 5 (50%), a new filter every query, in-memory filters off (SQL, as before): p50 {times["halfFreshSql"].P50:F2} ms ({times["halfFreshSql"].P50 / unfiltered.P50:F2}x unfiltered)");
    Console.WriteLine($"  of which the filter's SQL (50,000 row ids through group_concat): p50 {times["filterSql"].P50:F2} ms ({times["filterSql"].P50 / unfiltered.P50:F2}x unfiltered)");
    Console.WriteLine($"  of which the bitmap built from those row ids: p50 {times["bitmap"].P50:F2} ms ({times["bitmap"].P50 / unfiltered.P50:F2}x unfiltered)");
    Console.WriteLine($"store exact top-10, filter Group == 3 (10%), a new filter every query: p50 {times["tenFresh"].P50:F2} ms ({times["tenFresh"].P50 / unfiltered.P50:F2}x unfiltered)");
    Console.WriteLine($"  filters evaluated in memory: {collection.IndexStatistics()[0].InMemoryFilterEvaluations}; run in SQL: {collection.IndexStatistics()[0].FilterQueries} (the in-memory-off line's, warm-up included)");

    using var streamedStore = new SqliteVectorStore(path, new SqliteVectorStoreOptions { VectorCacheMaxBytes = 0 });
    var streamed = streamedStore.GetCollection<int, BenchRecord>("exact", Definition(dimensions, IndexKind.Flat));
    var streamedTimes = Measure(queries.Take(10).ToArray(), q => streamed.SearchAsync(q, 10).ToListAsync().AsTask().GetAwaiter().GetResult());
    Console.WriteLine($"store exact top-10 with the cache off (vectors streamed from the file): p50 {streamedTimes.P50:F1} ms ({streamedTimes.P50 / unfiltered.P50:F1}x cached)");
    Console.WriteLine($"load average after the exact part: {LoadAverage()}");

    static float[] Prepare(float[] query)
    {
        var prepared = new float[query.Length];
        TensorPrimitives.Divide(query, TensorPrimitives.Norm(query), prepared);
        return prepared;
    }

    static void Search(SqliteCollection<int, BenchRecord> collection, float[] query, System.Linq.Expressions.Expression<Func<BenchRecord, bool>>? filter)
        => collection.SearchAsync(query, 10, new VectorSearchOptions<BenchRecord> { Filter = filter }).ToListAsync().AsTask().GetAwaiter().GetResult();
}

static async Task<double> UpsertAsync(string path, float[][] vectors, SqliteDurability durability)
{
    using var store = new SqliteVectorStore(path, new SqliteVectorStoreOptions { Durability = durability });
    var collection = store.GetCollection<int, BenchRecord>("exact", Definition(vectors[0].Length, IndexKind.Flat));
    await collection.EnsureCollectionExistsAsync();
    var upsert = Stopwatch.StartNew();
    foreach (var batch in Enumerable.Range(0, vectors.Length).Chunk(1000))
    {
        await collection.UpsertAsync(batch.Select(i => new BenchRecord { Id = i, Group = i % 10, Embedding = vectors[i] }));
    }

    return vectors.Length / upsert.Elapsed.TotalSeconds;
}

static async Task HnswAsync(string path, int count, int dimensions)
{
    var (vectors, queries) = Clustered(count, 200, dimensions, 100, seed: 11);
    Console.WriteLine($"load average before the HNSW part: {LoadAverage()}");
    using var store = new SqliteVectorStore(path);
    var hnsw = (SqliteCollection<int, BenchRecord>)store.GetCollection<int, BenchRecord>("hnsw", Definition(dimensions, IndexKind.Hnsw));
    var exact = store.GetCollection<int, BenchRecord>("flat", Definition(dimensions, IndexKind.Flat));
    await hnsw.EnsureCollectionExistsAsync();
    await exact.EnsureCollectionExistsAsync();
    foreach (var batch in Enumerable.Range(0, count).Chunk(2000))
    {
        var records = batch.Select(i => new BenchRecord { Id = i, Group = i % 10, Embedding = vectors[i] }).ToList();
        await hnsw.UpsertAsync(records);
        await exact.UpsertAsync(records);
    }

    var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
    var build = Stopwatch.StartNew();
    await hnsw.WarmUpAsync();
    build.Stop();
    var statistics = hnsw.IndexStatistics().Single();
    using (var reopenedStore = new SqliteVectorStore(path))
    {
        var reopened = (SqliteCollection<int, BenchRecord>)reopenedStore.GetCollection<int, BenchRecord>("hnsw", Definition(dimensions, IndexKind.Hnsw));
        var restore = Stopwatch.StartNew();
        await reopened.WarmUpAsync();
        var reopenedStatistics = reopened.IndexStatistics().Single();
        Console.WriteLine($"HNSW reopen: {restore.Elapsed.TotalSeconds:F2} s (graphs restored from the file: {reopenedStatistics.GraphRestores}, built: {reopenedStatistics.GraphBuilds})");
    }

    Console.WriteLine($"HNSW build {count} x {dimensions} (M=16, efConstruction=100, {Environment.ProcessorCount} threads, includes loading the vectors and saving the graph to the file): {build.Elapsed.TotalSeconds:F1} s");
    Console.WriteLine($"HNSW memory: vectors {statistics.CacheBytes / (double)count:F0} B/vector + graph {statistics.GraphBytes / (double)count:F0} B/vector = {(statistics.CacheBytes + statistics.GraphBytes) / (double)count:F0} B/vector (managed heap grew {(GC.GetTotalMemory(true) - memoryBefore) / (double)count:F0} B/vector)");

    await exact.SearchAsync(queries[0], 10).ToListAsync();
    var truth = new List<HashSet<int>>();
    var exactTimer = Stopwatch.StartNew();
    foreach (var query in queries)
    {
        truth.Add([.. (await exact.SearchAsync(query, 10).ToListAsync()).Select(r => r.Record.Id)]);
    }

    exactTimer.Stop();
    var exactQps = queries.Length / exactTimer.Elapsed.TotalSeconds;
    Console.WriteLine($"exact (baseline) top-10: {exactQps:F0} QPS (p50 {1000 / exactQps:F1} ms, one query at a time, scan on {Environment.ProcessorCount} threads)");

    foreach (var efSearch in new[] { 32, 64, 128 })
    {
        using var searchStore = efSearch == 64 ? null : new SqliteVectorStore(path, new SqliteVectorStoreOptions { Hnsw = new HnswOptions { EfSearch = efSearch } });
        var collection = searchStore is null ? hnsw : searchStore.GetCollection<int, BenchRecord>("hnsw", Definition(dimensions, IndexKind.Hnsw));
        if (searchStore is not null)
        {
            await ((SqliteCollection<int, BenchRecord>)collection).WarmUpAsync();
        }

        await collection.SearchAsync(queries[0], 10).ToListAsync();
        var hits = 0;
        var timer = Stopwatch.StartNew();
        for (var repeat = 0; repeat < 5; repeat++)
        {
            for (var q = 0; q < queries.Length; q++)
            {
                var results = await collection.SearchAsync(queries[q], 10).ToListAsync();
                if (repeat == 0)
                {
                    hits += results.Count(r => truth[q].Contains(r.Record.Id));
                }
            }
        }

        timer.Stop();
        var qps = 5 * queries.Length / timer.Elapsed.TotalSeconds;
        Console.WriteLine($"HNSW efSearch={efSearch}: recall@10 {hits / (10.0 * queries.Length):F3}, {qps:F0} QPS ({qps / exactQps:F1}x exact)");
    }
}

static VectorStoreCollectionDefinition Definition(int dimensions, string indexKind) => new()
{
    Properties =
    [
        new VectorStoreKeyProperty(nameof(BenchRecord.Id), typeof(int)),
        new VectorStoreDataProperty(nameof(BenchRecord.Group), typeof(int)) { IsIndexed = true },
        new VectorStoreVectorProperty(nameof(BenchRecord.Embedding), typeof(ReadOnlyMemory<float>), dimensions) { IndexKind = indexKind, DistanceFunction = DistanceFunction.CosineSimilarity },
    ],
};

// Runs every variant once per query, round-robin, so that all of them see the same load on a shared machine.
// A variant's untimed preparation, when it has one, runs right before each of its runs.
static Dictionary<string, (double P50, double P95)> MeasureInterleaved(float[][] queries, (string Name, Action<float[]> Run)[] variants, Dictionary<string, Action>? before = null)
{
    foreach (var (name, run) in variants)
    {
        for (var i = 0; i < 3; i++)
        {
            before?.GetValueOrDefault(name)?.Invoke();
            run(queries[i]);
        }
    }

    var times = variants.ToDictionary(v => v.Name, _ => new List<double>());
    foreach (var query in queries)
    {
        foreach (var (name, run) in variants)
        {
            before?.GetValueOrDefault(name)?.Invoke();
            var timer = Stopwatch.StartNew();
            run(query);
            times[name].Add(timer.Elapsed.TotalMilliseconds);
        }
    }

    return times.ToDictionary(t => t.Key, t =>
    {
        t.Value.Sort();
        return (t.Value[t.Value.Count / 2], t.Value[(int)(t.Value.Count * 0.95)]);
    });
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) + $" (1, 5, 15 min; {Environment.ProcessorCount} cores)" : "n/a";

static (double P50, double P95) Measure<T>(float[][] queries, Func<float[], T> search)
{
    for (var i = 0; i < 5; i++)
    {
        search(queries[i % queries.Length]);
    }

    var times = new List<double>();
    foreach (var query in queries)
    {
        var timer = Stopwatch.StartNew();
        search(query);
        times.Add(timer.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    return (times[times.Count / 2], times[(int)(times.Count * 0.95)]);
}

static int[] RawScan(float[] flat, int dimensions, float[] query, int k)
{
    var count = flat.Length / dimensions;
    var best = new PriorityQueue<int, float>();
    for (var i = 0; i < count; i++)
    {
        var score = TensorPrimitives.Dot(query, flat.AsSpan(i * dimensions, dimensions));
        if (best.Count < k)
        {
            best.Enqueue(i, score);
        }
        else if (best.TryPeek(out _, out var worst) && score > worst)
        {
            best.DequeueEnqueue(i, score);
        }
    }

    return [.. best.UnorderedItems.Select(item => item.Element)];
}

static float[] RandomUnit(Random random, int dimensions)
{
    var vector = new float[dimensions];
    for (var i = 0; i < dimensions; i++)
    {
        vector[i] = (float)Gaussian(random);
    }

    TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
    return vector;
}

static (float[][] Vectors, float[][] Queries) Clustered(int count, int clusters, int dimensions, int queryCount, int seed)
{
    var random = new Random(seed);
    var centroids = Enumerable.Range(0, clusters).Select(_ => RandomUnit(random, dimensions)).ToArray();
    float[] Point()
    {
        var centroid = centroids[random.Next(clusters)];
        var point = new float[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            point[i] = centroid[i] + (float)(Gaussian(random) * 0.05);
        }

        TensorPrimitives.Divide(point, TensorPrimitives.Norm(point), point);
        return point;
    }

    return ([.. Enumerable.Range(0, count).Select(_ => Point())], [.. Enumerable.Range(0, queryCount).Select(_ => Point())]);
}

static double Gaussian(Random random)
    => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

/// <summary>A benchmark record.</summary>
internal sealed class BenchRecord
{
    public int Id { get; set; }

    public int Group { get; set; }

    public ReadOnlyMemory<float> Embedding { get; set; }
}
