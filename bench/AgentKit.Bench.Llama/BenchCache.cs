using AgentKit.Testing;

namespace AgentKit.Bench.Llama;

/// <summary>Where the benchmark keeps what it builds or installs: <c>$AGENTKIT_BENCH_CACHE</c>, else <c>agentkit/bench</c> under <c>$XDG_CACHE_HOME</c> or <c>~/.cache</c>.</summary>
internal static class BenchCache
{
    public static string Root => AgentKitCache.Directory("AGENTKIT_BENCH_CACHE", "bench");
}
