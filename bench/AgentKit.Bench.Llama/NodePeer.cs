using System.Globalization;

namespace AgentKit.Bench.Llama;

/// <summary>
/// node-llama-cpp@3.22.1 (the package AgentKit's natives come from) as a peer for pp512 and tg128: installed
/// once with npm into the bench cache, with only the CPU prebuilt (<c>@node-llama-cpp/linux-x64</c>), and run
/// with <c>bench/node-peer/bench.mjs</c>. When it cannot be set up or run, <see cref="Unavailable"/> says why.
/// </summary>
internal sealed class NodePeer
{
    private const string Version = "3.22.1";
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    private NodePeer(string? script, string? packageDirectory, string? unavailable)
    {
        Script = script;
        PackageDirectory = packageDirectory;
        Unavailable = unavailable;
    }

    public string? Script { get; }

    public string? PackageDirectory { get; }

    /// <summary>Why the peer is not measured; null when it is.</summary>
    public string? Unavailable { get; private set; }

    public static bool Runs(string workload) => Workload.IsRate(workload);

    public static NodePeer Disabled(string reason) => new(null, null, reason);

    public static async Task<NodePeer> PrepareAsync()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "node-peer", "bench.mjs");
        if (!File.Exists(script))
        {
            return Disabled($"{script} is missing; rebuild bench/AgentKit.Bench.Llama");
        }

        if (await ChildProcess.RunAsync("node", ["--version"], TimeSpan.FromSeconds(30)).ConfigureAwait(false) is not { ExitCode: 0 })
        {
            return Disabled("node is not installed");
        }

        var directory = Path.Combine(BenchCache.Root, $"node-llama-cpp-{Version}");
        var marker = Path.Combine(directory, ".agentkit-complete");
        if (File.Exists(marker))
        {
            return new NodePeer(script, directory, null);
        }

        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "package.json"), "{ \"private\": true }\n").ConfigureAwait(false);
        // Optional dependencies are the CUDA/Vulkan/ARM prebuilts (hundreds of MB); only the x64 CPU one is needed.
        // Install scripts would try to download or build llama.cpp; the prebuilt needs none.
        var install = await ChildProcess.RunAsync(
            "npm",
            ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--omit=optional", $"node-llama-cpp@{Version}", $"@node-llama-cpp/linux-x64@{Version}"],
            InstallTimeout,
            directory).ConfigureAwait(false);
        if (install is null)
        {
            return Disabled("npm is not installed");
        }

        if (install.TimedOut || install.ExitCode != 0)
        {
            return Disabled(install.TimedOut
                ? string.Create(CultureInfo.InvariantCulture, $"npm install of node-llama-cpp@{Version} took more than {InstallTimeout.TotalMinutes} minutes")
                : $"npm install of node-llama-cpp@{Version} failed: {install.LastLine}");
        }

        await File.WriteAllTextAsync(marker, "").ConfigureAwait(false);
        return new NodePeer(script, directory, null);
    }

    public IReadOnlyList<string> Arguments(string workload, string modelPath, int threads, string promptFile) =>
    [
        Script!, workload, modelPath, Invariant.Str(threads), Invariant.Str(Workload.ContextSize), Invariant.Str(Workload.BatchSize), promptFile, PackageDirectory!,
    ];

    /// <summary>Stops measuring the peer after a failed run, keeping the reason for the report.</summary>
    public void Disable(string reason) => Unavailable ??= reason;
}
