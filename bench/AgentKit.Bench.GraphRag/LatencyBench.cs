using System.Diagnostics;
using AgentKit.Abstractions.Graph;
using AgentKit.Graph;
using AgentKit.Rag.Embeddings;

namespace AgentKit.Bench.GraphRag;

/// <summary>Local-search read latency on a synthetic graph: 20k entities, 100k relations over 10k evidence chunks.</summary>
internal static class LatencyBench
{
    private const int Entities = 20_000;
    private const int Evidence = 10_000;
    private const int RelationsPerEvidence = 10;
    private const int Queries = 300;

    public static async Task RunAsync(string folder)
    {
        using var embedder = new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { Dimensions = 384 });
        using var store = new SqliteGraphStore(new GraphStoreOptions { Path = Path.Combine(folder, "latency.db") });
        var random = new Random(20);
        var names = Enumerable.Range(0, Entities).Select(i => $"entity {i:D5}").ToArray();
        var vectors = names.Select(n => embedder.Embed(n)).ToArray();
        var build = Stopwatch.StartNew();
        for (var e = 0; e < Evidence; e++)
        {
            var members = Enumerable.Range(0, RelationsPerEvidence + 1).Select(_ => random.Next(Entities)).Distinct().ToArray();
            var entities = members.Select(m => new ResolvedEntity(null, names[m], names[m], "thing", $"{names[m]} is a thing.", vectors[m], null)).ToList();
            var relations = Enumerable.Range(0, members.Length - 1).Select(i => new ResolvedRelation(i, "relates to", i + 1, $"{names[members[i]]} relates to {names[members[i + 1]]}.")).ToList();
            await store.ReplaceEvidenceAsync(new GraphEvidenceRecord($"chunk-{e}", $"doc-{e / 20}", GraphEvidenceKind.Chunk, "h", DateTimeOffset.UtcNow), new ResolvedExtraction(entities, relations));
        }

        var statistics = await store.GetStatisticsAsync();
        Console.WriteLine($"latency: built {statistics.Entities} entities, {statistics.Relations} relations, {statistics.Evidence} evidence in {build.Elapsed.TotalSeconds:F1} s");
        foreach (var hops in new[] { 1, 2 })
        {
            var search = new GraphLocalSearch(store, embedder, new GraphSearchOptions { Hops = hops });
            var times = new List<double>(Queries);
            var evidence = 0;
            for (var q = 0; q < Queries + 20; q++)
            {
                var question = $"What do we know about {names[random.Next(Entities)]} and how does it relate to others?";
                var started = Stopwatch.GetTimestamp();
                var context = await search.GetContextAsync(new GraphContextQuery { Question = question });
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (q >= 20)
                {
                    times.Add(elapsed);
                    evidence += context.Evidence.Count;
                }
            }

            times.Sort();
            Console.WriteLine($"latency: hops={hops} p50 {times[times.Count / 2]:F2} ms, p95 {times[(int)(times.Count * 0.95)]:F2} ms, mean evidence {(double)evidence / Queries:F1} (target p50 <= 20 ms at 100k edges)");
        }
    }
}
