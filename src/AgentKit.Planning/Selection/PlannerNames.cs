namespace AgentKit.Planning;

/// <summary>The names the built-in planners are registered under by <c>AddAgentKitPlanning</c>.</summary>
public static class PlannerNames
{
    /// <summary>Chain-of-thought (aliases <c>cot</c>, <c>ChainOfThought</c>).</summary>
    public const string ChainOfThought = "chain-of-thought";

    /// <summary>Self-consistency (aliases <c>sc</c>, <c>SelfConsistency</c>).</summary>
    public const string SelfConsistency = "self-consistency";

    /// <summary>Tree-of-Thoughts (aliases <c>tot</c>, <c>TreeOfThoughts</c>).</summary>
    public const string TreeOfThoughts = "tree-of-thoughts";

    /// <summary>ReAct.</summary>
    public const string ReAct = "react";

    /// <summary>Plan-and-execute (aliases <c>plan-execute</c>, <c>PlanAndExecute</c>).</summary>
    public const string PlanAndExecute = "plan-and-execute";

    /// <summary>Program-aided answering, PAL (aliases <c>program-aided</c>, <c>ProgramAided</c>).</summary>
    public const string ProgramAided = "pal";

    /// <summary>Self-check (aliases <c>reflexion</c>, <c>SelfCheck</c>).</summary>
    public const string SelfCheck = "self-check";

    /// <summary>Critique (answerer and critic).</summary>
    public const string Critique = "critique";

    /// <summary>Multi-agent debate.</summary>
    public const string Debate = "debate";

    /// <summary>Least-to-most (aliases <c>ltm</c>, <c>LeastToMost</c>).</summary>
    public const string LeastToMost = "least-to-most";
}

/// <summary>A planner registered by <c>AddAgentKitPlanner&lt;T&gt;</c>: the service key it is resolved by and its aliases.</summary>
/// <param name="Name">The name, also the keyed <see cref="IPlanner"/> service key.</param>
/// <param name="Aliases">Other names accepted for it (case-insensitive, like the name).</param>
public sealed record PlannerRegistration(string Name, IReadOnlyList<string> Aliases);
