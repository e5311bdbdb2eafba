namespace AgentKit.Planning;

/// <summary>
/// Application-wide planning settings, bound from the <c>AgentKit:Planning</c> configuration section by
/// <c>AddAgentKitPlanning(configuration)</c>: the default strategy and each strategy's default options.
/// </summary>
public sealed class PlanningOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "AgentKit:Planning";

    /// <summary>The planner <see cref="IPlannerFactory.CreateDefault"/> returns, by registered name or alias. Default: <c>chain-of-thought</c>.</summary>
    public string DefaultPlanner { get; set; } = PlannerNames.ChainOfThought;

    /// <summary>
    /// The strategy per agent name, for agents whose <c>AgentDefinition.Planner</c> is a <see cref="PlanningAgentPlanner"/>
    /// without a fixed kind: <c>"AgentKit:Planning:Agents:shopbot": "self-consistency"</c>. Names as in
    /// <see cref="IPlannerFactory.Create(string)"/>. Agents not listed use <see cref="DefaultPlanner"/>.
    /// </summary>
    public Dictionary<string, string> Agents { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Chain-of-thought defaults.</summary>
    public ChainOfThoughtOptions ChainOfThought { get; set; } = new();

    /// <summary>Self-consistency defaults.</summary>
    public SelfConsistencyOptions SelfConsistency { get; set; } = new();

    /// <summary>Tree-of-Thoughts defaults.</summary>
    public TreeOfThoughtsOptions TreeOfThoughts { get; set; } = new();

    /// <summary>ReAct defaults.</summary>
    public ReActOptions ReAct { get; set; } = new();

    /// <summary>Plan-and-execute defaults.</summary>
    public PlanAndExecuteOptions PlanAndExecute { get; set; } = new();

    /// <summary>Program-aided (PAL) defaults.</summary>
    public ProgramAidedOptions ProgramAided { get; set; } = new();

    /// <summary>Self-check defaults.</summary>
    public SelfCheckOptions SelfCheck { get; set; } = new();

    /// <summary>Critique defaults.</summary>
    public CritiqueOptions Critique { get; set; } = new();

    /// <summary>Debate defaults.</summary>
    public DebateOptions Debate { get; set; } = new();

    /// <summary>Least-to-most defaults.</summary>
    public LeastToMostOptions LeastToMost { get; set; } = new();
}
