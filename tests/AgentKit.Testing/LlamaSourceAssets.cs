using System.Reflection;

namespace AgentKit.Testing;

/// <summary>
/// Paths into the llama.cpp v0.5.0 source tree that AgentKit.Testing's build puts in the per-user cache:
/// headers, vocabularies with tokenizer vectors, chat templates and grammars.
/// </summary>
/// <remarks>
/// The tree is found, in order, at <c>$AGENTKIT_LLAMA_SOURCE_DIR</c>, at the folder recorded at build
/// time, and at <c>llama.cpp-v0.5.0</c> under the natives cache (<c>$AGENTKIT_NATIVE_CACHE</c>, else
/// <c>$XDG_CACHE_HOME/agentkit/natives</c>, else <c>~/.cache/agentkit/natives</c>).
/// </remarks>
public static class LlamaSourceAssets
{
    private const string FolderName = "llama.cpp-v0.5.0";
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The root of the llama.cpp source tree.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The folder holding <c>llama.h</c>.</summary>
    public static string IncludeDir => Path.Combine(Root, "include");

    /// <summary>The folder holding <c>ggml.h</c> and the other ggml headers.</summary>
    public static string GgmlIncludeDir => Path.Combine(Root, "ggml", "include");

    /// <summary>The folder of the vocabulary-only models (<c>ggml-vocab-*.gguf</c>).</summary>
    public static string ModelsDir => Path.Combine(Root, "models");

    /// <summary>The folder of the chat templates (<c>*.jinja</c>).</summary>
    public static string TemplatesDir => Path.Combine(Root, "models", "templates");

    /// <summary>The folder of the sample GBNF grammars (<c>*.gbnf</c>).</summary>
    public static string GrammarsDir => Path.Combine(Root, "grammars");

    /// <summary>The vocabulary-only model <c>models/ggml-vocab-{name}.gguf</c>, e.g. <c>qwen2</c> or <c>llama-bpe</c>.</summary>
    /// <exception cref="FileNotFoundException">No such vocabulary in the tree.</exception>
    public static string VocabFile(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var path = Path.Combine(ModelsDir, $"ggml-vocab-{name}.gguf");
        if (!File.Exists(path))
        {
            var known = string.Join(", ", Directory.EnumerateFiles(ModelsDir, "ggml-vocab-*.gguf")
                .Select(p => Path.GetFileNameWithoutExtension(p)["ggml-vocab-".Length..])
                .Order(StringComparer.Ordinal));
            throw new FileNotFoundException($"No vocabulary '{name}' in {ModelsDir}; known: {known}.", path);
        }

        return path;
    }

    /// <summary>Every vocabulary that comes with tokenizer vectors (<c>.inp</c> and <c>.out</c> beside it), ordered by name.</summary>
    public static IReadOnlyList<VocabTestCase> VocabTestCases() =>
        Directory.EnumerateFiles(ModelsDir, "ggml-vocab-*.gguf")
            .Where(p => File.Exists(p + ".inp") && File.Exists(p + ".out"))
            .Select(p => new VocabTestCase(Path.GetFileNameWithoutExtension(p)["ggml-vocab-".Length..], p, p + ".inp", p + ".out"))
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToArray();

    private static string FindRoot()
    {
        var candidates = new List<(string Path, string Source)>();
        var explicitDir = Environment.GetEnvironmentVariable("AGENTKIT_LLAMA_SOURCE_DIR");
        if (!string.IsNullOrWhiteSpace(explicitDir))
        {
            candidates.Add((explicitDir, "AGENTKIT_LLAMA_SOURCE_DIR"));
        }

        var recorded = typeof(LlamaSourceAssets).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "AgentKit.LlamaSourceDir")?.Value;
        if (!string.IsNullOrWhiteSpace(recorded))
        {
            candidates.Add((recorded, "the folder recorded at build time"));
        }

        candidates.Add((Path.Combine(NativeCacheDir(), FolderName), "the natives cache"));

        foreach (var (path, _) in candidates)
        {
            if (File.Exists(Path.Combine(path, "include", "llama.h")))
            {
                return Path.GetFullPath(path);
            }
        }

        var tried = string.Join("; ", candidates.Select(c => $"{c.Path} ({c.Source})"));
        throw new DirectoryNotFoundException(
            $"The llama.cpp v0.5.0 source tree was not found (tried: {tried}). Building AgentKit.Testing fetches it " +
            "(needs Node.js, npm and git once); or set AGENTKIT_LLAMA_SOURCE_DIR to a llama.cpp v0.5.0 checkout.");
    }

    /// <summary>The natives cache root, by the same rules as the build's AgentKitNativeCacheDir.</summary>
    internal static string NativeCacheDir() => AgentKitCache.Directory("AGENTKIT_NATIVE_CACHE", "natives");
}

/// <summary>A vocabulary-only model with its tokenizer vectors.</summary>
/// <param name="Name">The vocabulary name, e.g. <c>qwen2</c>.</param>
/// <param name="VocabPath">The <c>.gguf</c> file.</param>
/// <param name="InputPath">The <c>.inp</c> file: texts separated by marker lines.</param>
/// <param name="OutputPath">The <c>.out</c> file: the expected token ids, one line per text.</param>
public sealed record VocabTestCase(string Name, string VocabPath, string InputPath, string OutputPath)
{
    /// <inheritdoc />
    public override string ToString() => Name;
}
