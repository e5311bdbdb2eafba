using System.Collections.Concurrent;
using AgentKit.LlamaCpp.Grammars;
using Fluid;

namespace AgentKit.LlamaCpp.Chat;

/// <summary>
/// Reads the tool prompt files (<c>llama/tools/{format}.liquid</c> and <c>{format}-result.liquid</c>) at run
/// time and re-reads a file when it changes, so prompt engineers edit them without recompiling.
/// </summary>
internal sealed class ToolPromptTemplates(string promptsDirectory)
{
    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = CreateOptions();
    private readonly ConcurrentDictionary<string, (DateTime Stamp, IFluidTemplate Template)> _cache = new(StringComparer.Ordinal);

    public string Directory { get; } = promptsDirectory;

    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "prompts");

    public string RenderToolList(ToolCallFormat format, IEnumerable<ToolDescriptor> tools, bool required)
    {
        var model = new Dictionary<string, object?>
        {
            ["tools"] = tools.Select(t => new Dictionary<string, object?>
            {
                ["name"] = t.Name,
                ["name_json"] = System.Text.Json.JsonSerializer.Serialize(t.Name, JsonContext.Default.String),
                ["description"] = t.Description,
                ["description_json"] = System.Text.Json.JsonSerializer.Serialize(t.Description, JsonContext.Default.String),
                ["parameters_json"] = t.ParametersJson,
            }).ToList(),
            ["tool_choice"] = required ? "required" : "auto",
        };
        return Render(FileName(format), model).Trim();
    }

    public string RenderResult(ToolCallFormat format, string name, string callId, string result) =>
        Render(FileName(format) + "-result", new Dictionary<string, object?>
        {
            ["name"] = name,
            ["call_id"] = callId,
            ["result"] = result,
        }).Trim('\n');

    private static string FileName(ToolCallFormat format) => format switch
    {
        ToolCallFormat.Hermes => "hermes",
        ToolCallFormat.Llama3Json => "llama3",
        _ => "generic",
    };

    private string Render(string name, Dictionary<string, object?> model)
    {
        var template = Load(name);
        var context = new TemplateContext(Options);
        foreach (var (key, value) in model)
        {
            context.SetValue(key, value);
        }

        return template.Render(context);
    }

    private IFluidTemplate Load(string name)
    {
        var path = Path.Combine(Directory, "llama", "tools", name + ".liquid");
        DateTime stamp;
        try
        {
            stamp = File.GetLastWriteTimeUtc(path);
            if (!File.Exists(path))
            {
                throw new LlamaException($"The tool prompt file '{path}' is missing. Set LlamaChatClientOptions.PromptsDirectory to the folder holding llama/tools/{name}.liquid.");
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

        var text = File.ReadAllText(path);
        if (!Parser.TryParse(text, out var template, out var error))
        {
            throw new LlamaException($"The tool prompt file '{path}' is not a valid Liquid template: {error}");
        }

        _cache[path] = (stamp, template);
        return template;
    }

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions();
        options.MemberAccessStrategy.MemberNameStrategy = MemberNameStrategies.Default;
        return options;
    }
}

/// <summary>A tool as the prompt describes it.</summary>
internal sealed record ToolDescriptor(string Name, string Description, string ParametersJson);

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class JsonContext : System.Text.Json.Serialization.JsonSerializerContext;
