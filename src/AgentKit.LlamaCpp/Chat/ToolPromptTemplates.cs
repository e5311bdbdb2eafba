using AgentKit.Abstractions.Prompts;
using AgentKit.LlamaCpp.Grammars;

namespace AgentKit.LlamaCpp.Chat;

/// <summary>
/// The tool prompts of one format: <c>llama/tools/{format}</c> describes the offered tools and
/// <c>llama/tools/{format}-result</c> frames a tool's result, rendered by an <see cref="IToolPromptSource"/>
/// (<see cref="ToolPromptFiles"/> unless the application supplies one).
/// </summary>
internal sealed class ToolPromptTemplates(IToolPromptSource source)
{
    public const string Folder = "llama/tools/";

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
        return source.Render(Folder + FileName(format), model).Trim();
    }

    public string RenderResult(ToolCallFormat format, string name, string callId, string result) =>
        source.Render(Folder + FileName(format) + "-result", new Dictionary<string, object?>
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
}

/// <summary>A tool as the prompt describes it.</summary>
internal sealed record ToolDescriptor(string Name, string Description, string ParametersJson);

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class JsonContext : System.Text.Json.Serialization.JsonSerializerContext;
