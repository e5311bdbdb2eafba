namespace AgentKit.Hosting.Configuration;

/// <summary>Whose memories an agent's turn sees.</summary>
public enum AgentMemoryScope
{
    /// <summary>All of the agent's memories, whatever session wrote them.</summary>
    Agent,

    /// <summary>Only the memories written in the current session.</summary>
    Session,
}

/// <summary>
/// <c>AgentKit:Agents:&lt;name&gt;:Memory</c>: the agent's long-term memory. The store and the models it uses are
/// application-wide (<c>AgentKit:Memory</c>, bound to <c>MemoryOptions</c>).
/// </summary>
public sealed class AgentMemoryOptions
{
    /// <summary>Recall before each turn and record the exchange after it. Default: true (a <c>Memory</c> section turns memory on).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Whose memories the agent sees. Default: <see cref="AgentMemoryScope.Agent"/>.</summary>
    public AgentMemoryScope Scope { get; set; } = AgentMemoryScope.Agent;

    /// <summary>The most tokens of recalled memories sent before a turn. Default: 512.</summary>
    public int TokenBudget { get; set; } = 512;

    /// <summary>Write each turn as an observation. Default: true.</summary>
    public bool RecordObservations { get; set; } = true;
}

/// <summary><c>AgentKit:Agents:&lt;name&gt;:Planner</c>: a planning pass before each of the agent's turns.</summary>
public sealed class AgentPlannerOptions
{
    /// <summary>
    /// The planner's registered name (<c>chain-of-thought</c>, <c>self-consistency</c>, <c>tree-of-thoughts</c>,
    /// <c>react</c>, <c>plan-and-execute</c>, <c>pal</c>, <c>self-check</c>, <c>critique</c>, <c>debate</c>,
    /// <c>least-to-most</c>, their aliases, or one added with <c>AddAgentKitPlanner&lt;T&gt;</c>).
    /// Default: <c>AgentKit:Planning:Agents:&lt;name&gt;</c>, else <c>AgentKit:Planning:DefaultPlanner</c>.
    /// The strategies' own options are under <c>AgentKit:Planning</c>.
    /// </summary>
    public string? Kind { get; set; }

    /// <summary>Let planners that use tools call the agent's allowlisted tools (with its approvals). Default: false.</summary>
    public bool UseTools { get; set; }

    /// <summary>Most model calls of the planning pass. Default: the strategy's budget.</summary>
    public int? MaxCalls { get; set; }

    /// <summary>Most tokens of the planning pass. Default: the strategy's budget.</summary>
    public long? MaxTokens { get; set; }

    /// <summary>Longest the planning pass may run. Default: the strategy's budget.</summary>
    public TimeSpan? MaxDuration { get; set; }
}
