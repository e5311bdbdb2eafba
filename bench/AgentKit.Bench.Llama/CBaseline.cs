using System.Security.Cryptography;
using System.Text;
using AgentKit.Testing;

namespace AgentKit.Bench.Llama;

/// <summary>
/// The C baseline (<c>bench/llama-baseline/baseline.c</c>), compiled with gcc at bench time against the same
/// native folder AgentKit loads, into the bench cache (recompiled when the source or the libraries change).
/// </summary>
internal sealed class CBaseline
{
    private CBaseline(string executable) => Executable = executable;

    public string Executable { get; }

    public static async Task<CBaseline> BuildAsync(string nativeDirectory)
    {
        var sourceDir = Path.Combine(AppContext.BaseDirectory, "llama-baseline");
        var source = Path.Combine(sourceDir, "baseline.c");
        var script = Path.Combine(sourceDir, "build.sh");
        if (!File.Exists(source) || !File.Exists(script))
        {
            throw new BenchException($"The C baseline sources are missing from {sourceDir}; rebuild bench/AgentKit.Bench.Llama.");
        }

        if (await ChildProcess.RunAsync("gcc", ["--version"], TimeSpan.FromSeconds(30)).ConfigureAwait(false) is not { ExitCode: 0 })
        {
            throw new BenchException("gcc is not installed: the C baseline is compiled at bench time; install gcc (e.g. apt-get install gcc).");
        }

        var libllama = Directory.EnumerateFiles(nativeDirectory, "libllama*.so").Order(StringComparer.Ordinal).First();
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n',
            File.ReadAllText(source), File.ReadAllText(script), nativeDirectory, new FileInfo(libllama).Length, File.GetLastWriteTimeUtc(libllama).Ticks))))[..16];
        var directory = Path.Combine(BenchCache.Root, "llama-baseline", key);
        var executable = Path.Combine(directory, "baseline");
        if (File.Exists(executable))
        {
            return new CBaseline(executable);
        }

        Directory.CreateDirectory(directory);
        var partial = executable + ".partial";
        var build = await ChildProcess.RunAsync("sh", [script, partial, nativeDirectory, LlamaSourceAssets.IncludeDir, LlamaSourceAssets.GgmlIncludeDir], TimeSpan.FromMinutes(5)).ConfigureAwait(false)
            ?? throw new BenchException("sh could not be started to build the C baseline.");
        if (build.ExitCode != 0)
        {
            throw new BenchException($"The C baseline did not compile (gcc exit {build.ExitCode}): {build.LastLine}");
        }

        File.Move(partial, executable, overwrite: true);
        return new CBaseline(executable);
    }

    public static IReadOnlyList<string> Arguments(string workload, string modelPath, string nativeDirectory, int threads, string promptFile) =>
    [
        workload, modelPath, nativeDirectory, Invariant.Str(threads), Invariant.Str(Workload.ContextSize), Invariant.Str(Workload.BatchSize), Invariant.Str(Workload.Sequences(workload)), promptFile,
    ];
}
