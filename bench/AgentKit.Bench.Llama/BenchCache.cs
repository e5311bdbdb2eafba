using AgentKit.LlamaCpp.Models;
using AgentKit.Testing;

namespace AgentKit.Bench.Llama;

/// <summary>Where the benchmark keeps what it builds or installs: <c>$AGENTKIT_BENCH_CACHE</c>, else <c>agentkit/bench</c> under <c>$XDG_CACHE_HOME</c> or <c>~/.cache</c>.</summary>
internal static class BenchCache
{
    public static string Root => AgentKitCache.Directory("AGENTKIT_BENCH_CACHE", "bench");

    /// <summary>
    /// The generated model as is (<c>f16</c>), else its copy quantized to <paramref name="type"/> with AgentKit's
    /// <see cref="LlamaQuantizer"/>, cached in <c>drafts</c> under <see cref="Root"/>.
    /// </summary>
    public static async Task<string> QuantizedAsync(string source, string type, int threads)
    {
        if (type.Equals("f16", StringComparison.OrdinalIgnoreCase))
        {
            return source;
        }

        var folder = Directory.CreateDirectory(Path.Combine(Root, "drafts")).FullName;
        var path = Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(source)}-{type.ToLowerInvariant()}.gguf");
        if (!File.Exists(path))
        {
            Console.WriteLine($"Quantizing {Path.GetFileName(source)} to {type} ...");
            await LlamaQuantizer.QuantizeAsync(source, path, LlamaQuantizer.ParseType(type), threads).ConfigureAwait(false);
        }

        return path;
    }
}
