using AgentKit.Abstractions.Graph;
using AgentKit.Graph;
using AgentKit.Prompts;
using AgentKit.Rag.Embeddings;

namespace AgentKit.Bench.GraphRag;

/// <summary>Model calls for one changed chunk among 50 documents of 20 chunks, against the full re-index baseline.</summary>
internal static class IncrementalBench
{
    public static async Task RunAsync(string folder)
    {
        using var embedder = new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { Dimensions = 384 });
        using var store = new SqliteGraphStore(new GraphStoreOptions { Path = Path.Combine(folder, "incremental.db") });
        var oracle = new OracleExtraction();
        var prompts = new PromptRegistry(new PromptRegistryOptions { WatchForChanges = false });
        using var indexer = new GraphIndexer(store, new GraphExtractor(oracle.Client, prompts), new EntityResolver(store, embedder));
        var documents = Enumerable.Range(0, 50).Select(d => Enumerable.Range(0, 20).Select(c => Chunk(oracle, d, c, "")).ToList()).ToList();
        foreach (var (chunks, d) in documents.Select((c, d) => (c, d)))
        {
            await indexer.UpdateSourceAsync($"doc-{d}.md", GraphEvidenceKind.Chunk, chunks);
        }

        var full = oracle.Client.CallCount;
        var changed = documents[7].ToList();
        changed[3] = Chunk(oracle, 7, 3, " (revised)");
        var before = oracle.Client.CallCount;
        var report = await indexer.UpdateSourceAsync("doc-7.md", GraphEvidenceKind.Chunk, changed);
        var calls = oracle.Client.CallCount - before;
        Console.WriteLine($"incremental: full index {full} model calls; one changed chunk of doc-7: {calls} model call(s), {report.Unchanged} chunks unchanged, other documents untouched; ratio to a full re-index {(double)calls / full:F4}");
    }

    private static GraphEvidenceItem Chunk(OracleExtraction oracle, int document, int chunk, string revision)
    {
        var text = $"Project P{document}-{chunk} is run by team T{document}{revision}.";
        oracle.Facts[text] = [new Fact($"Project P{document}-{chunk}", "project", "run by", $"Team T{document}", "organization")];
        return new GraphEvidenceItem($"doc-{document}#{chunk}", text, DateTimeOffset.UtcNow);
    }
}
