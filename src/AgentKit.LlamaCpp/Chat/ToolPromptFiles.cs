using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using AgentKit.Abstractions.Prompts;
using Fluid;

namespace AgentKit.LlamaCpp.Chat;

/// <summary>
/// The engine's own <see cref="IToolPromptSource"/>: reads <c>{name}.prompty</c> under a folder at run time and
/// re-reads a file when it changes, so prompt engineers edit them without recompiling. The front matter (inputs,
/// sample) is for the prompt registry and its linter; the engine renders the Liquid body. It does not use the
/// registry itself, so the engine stays free of its reflection-based YAML parsing (trimming and NativeAOT).
/// </summary>
internal sealed partial class ToolPromptFiles(string promptsDirectory) : IToolPromptSource
{
    private const string Extension = ".prompty";
    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = CreateOptions();
    private readonly ConcurrentDictionary<string, (DateTime Stamp, IFluidTemplate Template)> _cache = new(StringComparer.Ordinal);

    public string Directory { get; } = promptsDirectory;

    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "prompts");

    public string Render(string name, IReadOnlyDictionary<string, object?> inputs)
    {
        var template = Load(name);
        var context = new TemplateContext(Options);
        foreach (var (key, value) in inputs)
        {
            context.SetValue(key, value);
        }

        return template.Render(context);
    }

    private IFluidTemplate Load(string name)
    {
        var path = Path.Combine(Directory, name.Replace('/', Path.DirectorySeparatorChar) + Extension);
        DateTime stamp;
        try
        {
            stamp = File.GetLastWriteTimeUtc(path);
            if (!File.Exists(path))
            {
                throw new LlamaException($"The tool prompt file '{path}' is missing. Set LlamaChatClientOptions.PromptsDirectory to the folder holding {name}{Extension}.");
            }
        }
        catch (IOException ex)
        {
            throw new LlamaException($"The tool prompt file '{path}' cannot be read: {ex.Message}", ex);
        }

        if (_cache.TryGetValue(path, out var cached) && cached.Stamp == stamp)
        {
            return cached.Template;
        }

        var body = Body(File.ReadAllText(path), path);
        if (!Parser.TryParse(body, out var template, out var error))
        {
            throw new LlamaException($"The tool prompt file '{path}' is not a valid Liquid template: {error}");
        }

        _cache[path] = (stamp, template);
        return template;
    }

    /// <summary>The text after the front matter (from a first line <c>---</c> to the next <c>---</c> line).</summary>
    internal static string Body(string text, string path)
    {
        var frontMatter = FrontMatter().Match(text);
        return frontMatter.Success
            ? text[frontMatter.Length..]
            : throw new LlamaException($"The tool prompt file '{path}' does not start with front matter between two '---' lines.");
    }

    [GeneratedRegex(@"\A---[ \t]*\r?\n(?:.*?\r?\n)??---[ \t]*(?:\r?\n|\z)", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex FrontMatter();

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions();
        options.MemberAccessStrategy.MemberNameStrategy = MemberNameStrategies.Default;
        return options;
    }
}
