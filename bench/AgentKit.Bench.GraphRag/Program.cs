using AgentKit.Bench.GraphRag;

// Graph retrieval benchmarks (issue #20). Modes:
//   latency     local-search read latency on a synthetic graph of 100k edges (p50/p95), 1 hop vs 2 hops
//   incremental model calls to update one changed chunk of one document among many (scripted extraction)
//   multihop    two-document questions: answer found in the top-k context, graph+vector vs vector only (oracle extraction, MiniLM)
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
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}
