using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using AgentKit.Embeddings.MiniLM;
using AgentKit.Memory;
using AgentKit.Memory.Storage;
using AgentKit.Prompts;
using AgentKit.VectorStores.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

// Memory read figures for issues #5 and #14. Usage: AgentKit.Bench.Memory [memories] [dimensions] [--model minilm]
// Defaults: 100,000 memories of one agent (plus 10% of a second agent), 384 dimensions, SQLite store, random unit
// vectors for memories and queries. With --model minilm each read embeds its ~20-token query with the default
// embedding model (all-MiniLM-L6-v2, 384 dimensions), so "memory read" includes the query embedding; the memories
// are seeded from the model's vectors of 256 real memory texts plus noise, because embedding every one of 110,000
// texts would take about 40 minutes on 2 cores and would not change what a read costs.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var realModel = args.SkipWhile(a => a != "--model").Skip(1).FirstOrDefault() is { } modelName
    && (modelName.Equals("minilm", StringComparison.OrdinalIgnoreCase) ? true : throw new ArgumentException($"Unknown --model '{modelName}'; the one choice is minilm."));
args = args.Where((a, i) => a != "--model" && (i == 0 || args[i - 1] != "--model")).ToArray();
var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var dimensions = realModel ? MiniLMEmbeddingGenerator.Dimensions : args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 384;
const int SeedTexts = 256;
const float SeedNoise = 0.01f;
var folder = Path.Combine(Path.GetTempPath(), "agentkit-bench-memory-" + Environment.ProcessId);
Directory.CreateDirectory(folder);
Console.WriteLine($"# Memory read benchmark: {Environment.ProcessorCount} cores, {count} memories x {dimensions} dimensions, query embedding: {(realModel ? "all-MiniLM-L6-v2 (per read)" : "drawn in advance")}, .NET {Environment.Version}");
Console.WriteLine(realModel
    ? $"# memory vectors: not embedded one by one; each is one of {SeedTexts} memory texts embedded by all-MiniLM-L6-v2 plus Gaussian noise (sigma {SeedNoise} per dimension), normalised; every read embeds its query with the model"
    : "# memory vectors: random unit vectors; query vectors drawn in advance (no model in the read)");
try
{
    var random = new Random(5);
    var start = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    using var miniLM = realModel ? new MiniLMEmbeddingGenerator() : null;
    var queries = miniLM is null
        ? Enumerable.Range(0, 100).Select(i => ($"query {i}", RandomUnit(random, dimensions))).ToArray()
        : await QueriesAsync(miniLM);
    var seeds = miniLM is null ? null : await SeedTextsAsync(miniLM, SeedTexts);
    IEmbeddingGenerator<string, Embedding<float>> embedder = miniLM is null ? new TableEmbeddings(queries.ToDictionary(q => q.Item1, q => q.Item2), dimensions) : miniLM;
    using var store = new SqliteVectorStore(Path.Combine(folder, "memory.db"));
    var prompts = new PromptRegistry(new PromptRegistryOptions { RootDirectory = Path.Combine(AppContext.BaseDirectory, "prompts") });
    await using var memory = new AgentMemory(store, embedder, new NoModel(), prompts, new MemoryOptions { ReflectionThreshold = 0 }, new FixedClock(start));

    var import = Stopwatch.StartNew();
    var kinds = new[] { MemoryKind.Observation, MemoryKind.Observation, MemoryKind.Observation, MemoryKind.Fact, MemoryKind.Reflection, MemoryKind.Plan };
    await memory.ImportAsync(Enumerable.Range(0, count + (count / 10)).Select(i => new MemoryRecord
    {
        Text = seeds is null ? $"memory {i}: something the agent saw or was told, about twenty words long, so the token budget has real texts to count." : seeds[i % seeds.Length].Text,
        AgentId = i < count ? "agent" : "other",
        Kind = kinds[i % kinds.Length],
        Importance = 1 + random.Next(10),
        Created = start.AddHours(-random.Next(24 * 90)),
        LastAccessed = start.AddMinutes(-random.Next(60 * 24 * 30)),
        Embedding = seeds is null ? RandomUnit(random, dimensions) : Noisy(random, seeds[i % seeds.Length].Vector, SeedNoise),
    }));
    import.Stop();
    Console.WriteLine($"import {count + (count / 10)} memories (batches of 1000, synchronous=FULL): {import.Elapsed.TotalSeconds:F1} s");

    var collection = store.GetCollection<Guid, MemoryEntity>("memories", MemoryEntity.CreateDefinition(dimensions));
    var scope = new MemoryScope("agent");
    var warm = Stopwatch.StartNew();
    await memory.RecallAsync(scope, queries[0].Item1);
    Console.WriteLine($"first read (loads the vector cache): {warm.ElapsedMilliseconds} ms");

    var baseline = await MeasureAsync(queries, q => collection.SearchAsync(q.Item2, 100, new VectorSearchOptions<MemoryEntity> { Filter = r => r.AgentId == "agent", IncludeVectors = true }).ToListAsync().AsTask());
    var unfiltered = await MeasureAsync(queries, q => collection.SearchAsync(q.Item2, 100).ToListAsync().AsTask());
    var read = await MeasureAsync(queries, q => memory.RecallAsync(scope, q.Item1));
    var readNoTouch = await MeasureAsync(queries, q => memory.RecallAsync(scope, q.Item1, new RecallOptions { UpdateLastAccessed = false }));
    Console.WriteLine($"baseline: store vector search alone, top-100 candidates, filter AgentId (91% of rows), vectors included: p50 {baseline.P50:F2} ms, p95 {baseline.P95:F2} ms");
    Console.WriteLine($"store vector search, top-100, unfiltered, no vectors: p50 {unfiltered.P50:F2} ms, p95 {unfiltered.P95:F2} ms");
    Console.WriteLine($"memory read (candidates + rescoring + budget of 1024 tokens + batched last-accessed writes): p50 {read.P50:F2} ms, p95 {read.P95:F2} ms ({read.P50 / baseline.P50:F2}x baseline)");
    Console.WriteLine($"memory read without last-accessed updates: p50 {readNoTouch.P50:F2} ms, p95 {readNoTouch.P95:F2} ms ({readNoTouch.P50 / baseline.P50:F2}x baseline)");
    if (miniLM is not null)
    {
        var embedOnly = await MeasureAsync(queries, q => miniLM.GenerateAsync([q.Item1]));
        Console.WriteLine($"query embedding alone (all-MiniLM-L6-v2, ~20 tokens): p50 {embedOnly.P50:F2} ms, p95 {embedOnly.P95:F2} ms; memory read including it, target p50 <= 30 ms: p50 {read.P50:F2} ms");
    }
}
finally
{
    SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

static async Task<(double P50, double P95)> MeasureAsync<T>((string, float[])[] queries, Func<(string, float[]), Task<T>> run)
{
    for (var i = 0; i < 5; i++)
    {
        await run(queries[i]);
    }

    var times = new List<double>();
    foreach (var query in queries)
    {
        var timer = Stopwatch.StartNew();
        await run(query);
        times.Add(timer.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    return (times[times.Count / 2], times[(int)(times.Count * 0.95)]);
}

// ~20-token questions an agent asks its memory, embedded once for the store-only baseline.
static async Task<(string, float[])[]> QueriesAsync(MiniLMEmbeddingGenerator model)
{
    string[] topics = ["the damaged parcel", "the refund for order 455", "the new delivery address", "the e-mail they prefer", "the warranty of the laptop"];
    var texts = Enumerable.Range(0, 100).Select(i => $"What did the customer tell us last week about {topics[i % topics.Length]} and the call number {i}?").ToArray();
    var vectors = await model.GenerateAsync(texts);
    return [.. texts.Select((t, i) => (t, vectors[i].Vector.ToArray()))];
}

// Memories an agent keeps about its customers, embedded once; the stored memories are noisy copies of them.
static async Task<(string Text, float[] Vector)[]> SeedTextsAsync(MiniLMEmbeddingGenerator model, int count)
{
    string[] who = ["The customer", "Anna Meyer", "The buyer of order 455", "Mr. Okafor", "The caller from Lyon", "The shop owner", "Our regular client", "The new subscriber"];
    string[] what = [
        "said the parcel arrived with a crushed corner and asked for a replacement",
        "prefers to be contacted by e-mail rather than by phone after six in the evening",
        "moved to a new delivery address in the north of the city last month",
        "asked whether the laptop warranty covers a broken hinge",
        "was refunded twice by mistake and agreed to return the second payment",
        "wants invoices in English and the company's VAT number on each of them",
        "complained that the courier left the box in the rain",
        "ordered the blue model but received the grey one",
        "asked to pause the subscription during the summer holidays",
        "is allergic to nuts and needs the ingredient list before ordering",
        "reported that the app logs them out every time they switch networks",
        "would like a call back from the same agent as last time",
        "paid by bank transfer and is waiting for the confirmation",
        "found the assembly instructions missing from the package",
        "asked for a discount because the delivery was three days late",
        "changed their phone number and wants the old one removed",
        "said the printer runs out of ink much faster than advertised",
        "is planning a large order for their office in January",
        "asked how to export their order history to a spreadsheet",
        "was unhappy with the tone of the previous support reply",
        "wants the gift wrapped and delivered without the price tag",
        "noticed a scratch on the screen after unpacking it",
        "asked if the store ships to Switzerland and what customs cost",
        "forgot their password and could not receive the reset e-mail",
        "returned the shoes because they were half a size too small",
        "asked for the opening hours of the shop on public holidays",
        "is comparing our offer with a competitor's cheaper bundle",
        "needs the delivery before Friday for a birthday",
        "asked whether batteries are included with the remote control",
        "reported being charged for express shipping they did not choose",
        "wants to know when the out-of-stock jacket will be back",
        "thanked the team for fixing the billing error so quickly",
    ];
    var texts = Enumerable.Range(0, count).Select(i => $"{who[i % who.Length]} {what[i / who.Length % what.Length]}.").ToArray();
    var vectors = await model.GenerateAsync(texts);
    return [.. texts.Select((t, i) => (t, vectors[i].Vector.ToArray()))];
}

static float[] Noisy(Random random, float[] vector, float sigma)
{
    var noisy = new float[vector.Length];
    for (var i = 0; i < noisy.Length; i++)
    {
        // Box-Muller: a standard normal draw.
        var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        noisy[i] = vector[i] + (float)(sigma * gaussian);
    }

    TensorPrimitives.Divide(noisy, TensorPrimitives.Norm(noisy), noisy);
    return noisy;
}

static float[] RandomUnit(Random random, int dimensions)
{
    var vector = new float[dimensions];
    for (var i = 0; i < dimensions; i++)
    {
        vector[i] = (float)(random.NextDouble() * 2 - 1);
    }

    TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
    return vector;
}

/// <summary>Query vectors drawn in advance, so the figures time the read and not an embedding model.</summary>
internal sealed class TableEmbeddings(Dictionary<string, float[]> table, int dimensions) : IEmbeddingGenerator<string, Embedding<float>>
{
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(table[v]))));

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("table", null, "table", dimensions) : null;

    public void Dispose()
    {
    }
}

/// <summary>Reads need no model; a call would be a benchmark bug.</summary>
internal sealed class NoModel : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("The read benchmark does not call the model.");

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("The read benchmark does not call the model.");

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}

internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
