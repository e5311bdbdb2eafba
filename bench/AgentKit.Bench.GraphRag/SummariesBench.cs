using System.Diagnostics;
using AgentKit.Abstractions.Graph;
using AgentKit.Graph;
using AgentKit.Prompts;
using AgentKit.Rag.Embeddings;

namespace AgentKit.Bench.GraphRag;

/// <summary>
/// Community summaries after one changed chunk among 50 documents of 20 chunks (one community per document): model
/// calls of the incremental refresh against re-summarising every community, and the time of a refresh that finds
/// nothing changed.
/// </summary>
internal static class SummariesBench
{
    public static async Task RunAsync(string folder)
    {
        using var embedder = new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { Dimensions = 384 });
        using var store = new SqliteGraphStore(new GraphStoreOptions { Path = Path.Combine(folder, "summaries.db") });
        var oracle = new OracleExtraction();
        var analyst = new ScriptedAnalyst();
        var prompts = new PromptRegistry(new PromptRegistryOptions { WatchForChanges = false });
        using var indexer = new GraphIndexer(store, new GraphExtractor(oracle.Client, prompts), new EntityResolver(store, embedder));
        using var summarizer = new CommunitySummarizer(store, analyst.Client, prompts, embedder);
        for (var d = 0; d < 50; d++)
        {
            await indexer.UpdateSourceAsync($"doc-{d}.md", GraphEvidenceKind.Chunk, [.. Enumerable.Range(0, 20).Select(c => Chunk(oracle, d, c, ""))]);
        }

        var clock = Stopwatch.StartNew();
        var full = await summarizer.RefreshAsync();
        var fullTime = clock.Elapsed;
        clock.Restart();
        var idle = await summarizer.RefreshAsync();
        var idleTime = clock.Elapsed;

        var changed = Enumerable.Range(0, 20).Select(c => Chunk(oracle, 7, c, c == 3 ? " (revised)" : "")).ToList();
        await indexer.UpdateSourceAsync("doc-7.md", GraphEvidenceKind.Chunk, changed);
        var before = analyst.Summaries;
        clock.Restart();
        var incremental = await summarizer.RefreshAsync();
        var incrementalTime = clock.Elapsed;
        var calls = analyst.Summaries - before;
        Console.WriteLine($"summaries: {full.Communities} communities ({(await store.GetStatisticsAsync()).Merges} entity merges); full summarisation {full.Summarized} model calls in {fullTime.TotalMilliseconds:F0} ms; refresh with nothing changed {idle.Summarized} calls in {idleTime.TotalMilliseconds:F0} ms");
        Console.WriteLine($"summaries: after one changed chunk of doc-7: {calls} model call(s) ({incremental.Unchanged} reports kept, {incremental.Removed} replaced) in {incrementalTime.TotalMilliseconds:F0} ms; ratio to re-summarising every community {(double)calls / full.Summarized:F4} (scripted summary model)");
    }

    private static GraphEvidenceItem Chunk(OracleExtraction oracle, int document, int chunk, string revision)
    {
        var text = $"Project P{document}-{chunk} is run by team T{document}{revision}.";
        var relation = revision.Length == 0 ? "run by" : "led by";
        oracle.Facts[text] = [new Fact($"Project P{document}-{chunk}", "project", relation, $"Team T{document}", "organization")];
        return new GraphEvidenceItem($"doc-{document}#{chunk}", text, DateTimeOffset.UtcNow);
    }
}
