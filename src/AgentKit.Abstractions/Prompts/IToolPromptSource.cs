namespace AgentKit.Abstractions.Prompts;

/// <summary>
/// Renders the prompt files that describe tools to a model without a native tool API (the local engine) and frame
/// tool results: <c>llama/tools/{format}</c> and <c>llama/tools/{format}-result</c> under <c>prompts/</c>. The
/// engine reads the <c>.prompty</c> files itself by default; an application with a prompt registry serves them from
/// it, so they are loaded, reloaded and linted like every other prompt.
/// </summary>
public interface IToolPromptSource
{
    /// <summary>Renders a tool prompt to text.</summary>
    /// <param name="name">The prompt's name, its path under <c>prompts/</c> without the extension (for example <c>llama/tools/hermes</c>).</param>
    /// <param name="inputs">
    /// The values the engine offers (the tool list: <c>tools</c>, <c>tool_choice</c>; a result: <c>name</c>,
    /// <c>call_id</c>, <c>result</c>); a file may read only some of them.
    /// </param>
    /// <returns>The rendered text.</returns>
    string Render(string name, IReadOnlyDictionary<string, object?> inputs);
}
