namespace AgentKit.Planning;

/// <summary>The planning strategies, selectable by name in configuration (<c>"SelfConsistency"</c>) and per call.</summary>
public enum PlannerKind
{
    /// <summary>Chain-of-thought: one reasoning path, then answer extraction.</summary>
    ChainOfThought,

    /// <summary>Self-consistency: several sampled reasoning paths and a majority vote.</summary>
    SelfConsistency,

    /// <summary>Tree-of-Thoughts: a BFS or DFS search over partial solutions scored by the model.</summary>
    TreeOfThoughts,

    /// <summary>ReAct: interleaved thoughts and tool calls, falling back to self-consistency at the step cap.</summary>
    ReAct,

    /// <summary>Plan-and-execute: a plan of steps carried out with tools, revised when an observation invalidates it.</summary>
    PlanAndExecute,
}
