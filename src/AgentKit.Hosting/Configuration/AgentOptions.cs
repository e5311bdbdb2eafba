namespace AgentKit.Hosting.Configuration;

/// <summary>One entry of <c>AgentKit:Agents</c>.</summary>
public sealed class AgentOptions
{
    /// <summary>
    /// The instructions: <c>prompt:&lt;name&gt;</c> for a prompt file (rendered at the start of every run, so edits apply
    /// without a restart), or the literal text.
    /// </summary>
    public string? Instructions { get; set; }

    /// <summary>The chat model (a name under <c>AgentKit:Models</c>). Default: <c>AgentKit:DefaultChatModel</c>.</summary>
    public string? Model { get; set; }

    /// <summary>The tools the agent may call (allowlist of tool names from <c>AgentKit:Tools</c> or registered in code), checked at start. Default: none.</summary>
    public List<string> Tools { get; init; } = [];

    /// <summary>Knowledge bases (names under <c>AgentKit:Knowledge</c>) the agent searches with <c>search_knowledge</c>, which it gets by naming any. Default: none.</summary>
    public List<string> Knowledge { get; init; } = [];

    /// <summary>Long-term memory; <see langword="null"/> (the default) for none.</summary>
    public AgentMemoryOptions? Memory { get; set; }

    /// <summary>A planning pass before each turn; <see langword="null"/> (the default) for none.</summary>
    public AgentPlannerOptions? Planner { get; set; }

    /// <summary>Per-turn tool selection (only the relevant tools shown); <see langword="null"/> (the default) shows every tool.</summary>
    public AgentToolSelectionOptions? ToolSelection { get; set; }

    /// <summary>
    /// Whether the agent is offered the tools made with the built-in plugin <c>tool-making</c> — its own and shared
    /// ones, re-read every turn — besides <see cref="Tools"/>. Default: <see langword="false"/>.
    /// </summary>
    public bool MadeTools { get; set; }

    /// <summary>Most model round trips per turn. Default: 10.</summary>
    public int? MaxSteps { get; set; }

    /// <summary>Most tokens (input + output) per turn. Default: unlimited.</summary>
    public long? MaxTokens { get; set; }

    /// <summary>Longest a turn may run. Default: 5 minutes.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>History beyond this many tokens is summarised (prompt <c>agents/summarize-history</c>). Default: no reduction.</summary>
    public int? ContextTokenBudget { get; set; }

    /// <summary>Sampling temperature for the agent's model calls. Default: the model's.</summary>
    public float? Temperature { get; set; }

    /// <summary>Most output tokens per model call. Default: the model's.</summary>
    public int? MaxOutputTokens { get; set; }
}

/// <summary>
/// <c>AgentKit:Agents:&lt;name&gt;:ToolSelection</c>: each model call is shown the <see cref="TopK"/> tools most
/// relevant to the recent turns (the default embedding model fused with keyword matching), the <see cref="AlwaysOn"/>
/// tools and <c>find_tools</c>. The agent's <c>Tools</c> stay its allowlist.
/// </summary>
public sealed class AgentToolSelectionOptions
{
    /// <summary>Tools shown per call besides the always-on ones, 1 to 100. Default: 8.</summary>
    public int TopK { get; set; } = 8;

    /// <summary>Tools shown on every call; each must be one of the agent's <c>Tools</c>. Default: none.</summary>
    public List<string> AlwaysOn { get; init; } = [];

    /// <summary>Tools one <c>find_tools</c> call returns, 1 to 50. Default: 5.</summary>
    public int FindTopK { get; set; } = 5;
}
