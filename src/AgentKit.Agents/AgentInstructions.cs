namespace AgentKit.Agents;

/// <summary>
/// An agent's instructions: the name of a prompt file rendered through the prompt registry (what prompt engineers
/// edit without recompiling), or literal text.
/// </summary>
public sealed class AgentInstructions
{
    private const string PromptPrefix = "prompt:";

    private AgentInstructions(string? text, string? promptName, IReadOnlyDictionary<string, object?> inputs)
    {
        Text = text;
        PromptName = promptName;
        Inputs = inputs;
    }

    /// <summary>The literal instructions, when not from a prompt file.</summary>
    public string? Text { get; }

    /// <summary>The prompt name (for example <c>agents/shopbot</c>), when from a prompt file.</summary>
    public string? PromptName { get; }

    /// <summary>Inputs for the prompt; the run adds <c>agent_name</c> and <c>session_id</c>.</summary>
    public IReadOnlyDictionary<string, object?> Inputs { get; }

    /// <summary>Literal instructions, sent as the system message.</summary>
    /// <param name="text">The instructions.</param>
    /// <returns>The instructions.</returns>
    public static AgentInstructions Literal(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        return new(text, null, new Dictionary<string, object?>());
    }

    /// <summary>Instructions rendered from a prompt file at the start of every run (so edits apply to the next run).</summary>
    /// <param name="promptName">The prompt's name in the registry.</param>
    /// <param name="inputs">Inputs for the prompt.</param>
    /// <returns>The instructions.</returns>
    public static AgentInstructions FromPrompt(string promptName, IReadOnlyDictionary<string, object?>? inputs = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(promptName);
        return new(null, promptName, inputs ?? new Dictionary<string, object?>());
    }

    /// <summary>Reads the configuration form: <c>prompt:agents/shopbot</c> names a prompt file; anything else is literal text.</summary>
    /// <param name="value">The configured value.</param>
    /// <returns>The instructions.</returns>
    public static AgentInstructions Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return value.StartsWith(PromptPrefix, StringComparison.Ordinal) ? FromPrompt(value[PromptPrefix.Length..].Trim()) : Literal(value);
    }

    /// <inheritdoc />
    public override string ToString() => PromptName is null ? Text! : PromptPrefix + PromptName;
}
