namespace AgentKit.LlamaCpp.Grammars;

/// <summary>How a model writes tool calls; chosen to match what the model was trained on.</summary>
public enum ToolCallFormat
{
    /// <summary>
    /// Hermes / Qwen: one or more <c>&lt;tool_call&gt;\n{"name": "...", "arguments": {...}}\n&lt;/tool_call&gt;</c>
    /// blocks separated by line breaks.
    /// </summary>
    Hermes,

    /// <summary>Llama 3.1 JSON tool calling: a single <c>{"name": "...", "parameters": {...}}</c>.</summary>
    Llama3Json,

    /// <summary>A model-neutral JSON envelope: <c>{"tool_calls": [{"name": "...", "arguments": {...}}, ...]}</c>.</summary>
    Generic,
}
