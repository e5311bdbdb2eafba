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
}

/// <summary>A planner registered by <c>AddAgentKitPlanner&lt;T&gt;</c>: the service key it is resolved by and its aliases.</summary>
/// <param name="Name">The name, also the keyed <see cref="IPlanner"/> service key.</param>
/// <param name="Aliases">Other names accepted for it (case-insensitive, like the name).</param>
public sealed record PlannerRegistration(string Name, IReadOnlyList<string> Aliases);
