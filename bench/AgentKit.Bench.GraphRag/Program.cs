using AgentKit.Bench.GraphRag;

// Graph retrieval benchmarks (issue #20). Modes:
//   latency     local-search read latency on a synthetic graph of 100k edges (p50/p95), 1 hop vs 2 hops
//   incremental model calls to update one changed chunk of one document among many (scripted extraction)
//   multihop    two-document questions: answer found in the top-k context, graph+vector vs vector only (oracle extraction, MiniLM)
//   summaries   community summaries: model calls of a refresh after one changed chunk vs re-summarising all (scripted summaries)
//   global      "main themes" questions: themes reaching the context, global search vs vector-only top-k (oracle extraction and summaries, MiniLM)
var mode = args.SkipWhile(a => a != "--mode").Skip(1).FirstOrDefault() ?? "all";
var folder = Directory.CreateTempSubdirectory("agentkit-bench-graph-").FullName;
try
{
    if (mode is "latency" or "all")
    {
        await LatencyBench.RunAsync(folder);
    }

    if (mode is "incremental" or "all")
    {
        await IncrementalBench.RunAsync(folder);
    }

    if (mode is "multihop" or "all")
    {
        await MultiHopBench.RunAsync(folder);
    }

    if (mode is "summaries" or "all")
    {
        await SummariesBench.RunAsync(folder);
    }

    if (mode is "global" or "all")
    {
        await GlobalBench.RunAsync(folder);
    }
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}
