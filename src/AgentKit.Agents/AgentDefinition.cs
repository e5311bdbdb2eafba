using AgentKit.Abstractions.Agents;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Tools.Selection;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents;

/// <summary>What an agent is: its name, instructions, model, tools, optional memory and planner, and limits.</summary>
public sealed record AgentDefinition
{
    /// <summary>The agent's unique name (used in URLs and by <c>--agent</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The system instructions: a prompt file or literal text.</summary>
    public required AgentInstructions Instructions { get; init; }

    /// <summary>The key of the keyed <see cref="IChatClient"/> service to use; <see langword="null"/> uses the one under <see cref="AgentChatClients.DefaultKey"/>, else the unkeyed one. The client must not do function invocation itself: the agent's tool pipeline does.</summary>
    public string? ChatClientKey { get; init; }

    /// <summary>The allowlist: names of the registered tools this agent may use. Other tools are never offered, and calls to them are refused.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>
    /// Whether the agent is also offered, each turn, the tools the registered <see cref="IAgentToolSource"/>s hold for
    /// it — the tools a model made (its own and shared ones, AgentKit.Sandbox). They are outside <see cref="Tools"/>,
    /// re-listed every turn, and never shadow a registered tool. Defaults to <see langword="false"/>.
    /// </summary>
    public bool UseAgentToolSources { get; init; }

    /// <summary>Model settings for every call (temperature, max output tokens per call, …); tools are set by the run.</summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>Shows the model only the tools relevant to each turn (see <see cref="ToolSelectionOptions"/>); <see langword="null"/> (the default) shows every tool.</summary>
    public ToolSelectionOptions? ToolSelection { get; init; }

    /// <summary>Run limits.</summary>
    public AgentLimits Limits { get; init; } = new();

    /// <summary>Tool invocation settings for this agent; <see langword="null"/> uses the application's <see cref="ToolPipelineOptions"/>.</summary>
    public ToolPipelineOptions? ToolOptions { get; init; }

    /// <summary>
    /// The context budget in tokens: when the stored history is estimated to exceed it, the history reducer
    /// condenses it before the run. <see langword="null"/> (the default) never reduces.
    /// </summary>
    public int? ContextTokenBudget { get; init; }

    /// <summary>Memory consulted before and updated after each turn; <see langword="null"/> for none.</summary>
    public IAgentMemory? Memory { get; init; }

    /// <summary>A planner that prepares each turn; <see langword="null"/> for none.</summary>
    public IAgentPlanner? Planner { get; init; }
}
