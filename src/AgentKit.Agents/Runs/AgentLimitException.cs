namespace AgentKit.Agents.Runs;

/// <summary>Thrown inside the pipeline when a run limit is reached; the run turns it into its outcome.</summary>
internal sealed class AgentLimitException(AgentRunOutcome outcome, string message) : Exception(message)
{
    public AgentRunOutcome Outcome { get; } = outcome;
}
