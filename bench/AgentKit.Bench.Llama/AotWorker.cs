using System.Reflection;

namespace AgentKit.Bench.Llama;

/// <summary>
/// The same AgentKit worker code (<see cref="AgentKitWorker"/>) compiled ahead of time: <c>bench/AgentKit.Bench.Llama.Worker</c>
/// published with NativeAOT into the bench cache, so the benchmark can show what the .NET runtime itself costs in
/// peak RSS (no JIT, no IL assemblies mapped). NativeAOT needs a C toolchain (<c>clang</c>); when publishing fails,
/// <see cref="Unavailable"/> says why and the side is not measured.
/// </summary>
internal sealed class AotWorker
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(15);

    private AotWorker(string? executable, string? unavailable)
    {
        Executable = executable;
        Unavailable = unavailable;
    }

    /// <summary>The published native program; null when <see cref="Unavailable"/>.</summary>
    public string? Executable { get; }

    /// <summary>Why the NativeAOT side is not measured; null when it is.</summary>
    public string? Unavailable { get; }

    public static AotWorker Disabled(string reason) => new(null, reason);

    public static async Task<AotWorker> PrepareAsync()
    {
        var project = typeof(AotWorker).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "AotWorkerProject")?.Value;
        if (project is null || !File.Exists(project))
        {
            return Disabled($"the worker project {project ?? "(unknown)"} is not there; run the benchmark from a checkout");
        }

        if (await ChildProcess.RunAsync("clang", ["--version"], TimeSpan.FromSeconds(30)).ConfigureAwait(false) is not { ExitCode: 0 })
        {
            return Disabled("NativeAOT needs clang (apt-get install clang)");
        }

        var output = Path.Combine(BenchCache.Root, "aot-worker");
        Console.WriteLine($"Publishing the NativeAOT worker into {output} ...");
        var publish = await ChildProcess.RunAsync(
            "dotnet",
            ["publish", project, "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", output, "-nologo", "-v:q"],
            PublishTimeout).ConfigureAwait(false);
        var executable = Path.Combine(output, "AgentKit.Bench.Llama.Worker");
        return publish switch
        {
            null => Disabled("dotnet could not be started"),
            { TimedOut: true } => Disabled($"dotnet publish took longer than {PublishTimeout.TotalMinutes} minutes"),
            { ExitCode: not 0 } failed => Disabled($"dotnet publish failed (exit {failed.ExitCode}): {failed.LastLine}"),
            _ when !File.Exists(executable) => Disabled($"dotnet publish left no {executable}"),
            _ => new AotWorker(executable, null),
        };
    }

    public static IReadOnlyList<string> Arguments(string workload, string modelPath, string promptFile, int threads) =>
        [workload, modelPath, promptFile, Invariant.Str(threads)];
}
