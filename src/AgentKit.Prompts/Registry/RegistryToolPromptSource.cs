using AgentKit.Abstractions.Prompts;

namespace AgentKit.Prompts;

/// <summary>
/// Serves the local engine's tool prompts (<c>llama/tools/*.prompty</c>) from the prompt registry, so they are
/// loaded, hot-reloaded and linted like every other prompt.
/// </summary>
internal sealed class RegistryToolPromptSource(IPromptRegistry registry) : IToolPromptSource
{
    public string Render(string name, IReadOnlyDictionary<string, object?> inputs)
    {
        var prompt = registry.Get(name);

        // The engine offers every value it has; a file declares the ones it shows, and the registry refuses undeclared inputs.
        var declared = inputs.Where(input => prompt.Inputs.ContainsKey(input.Key)).ToDictionary(input => input.Key, input => input.Value, StringComparer.Ordinal);
        return string.Join("\n\n", prompt.Render(declared).Select(message => message.Text));
    }
}
