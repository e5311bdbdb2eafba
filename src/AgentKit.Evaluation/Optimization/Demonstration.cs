namespace AgentKit.Evaluation.Optimization;

/// <summary>A few-shot example bootstrapped from a training case the current prompt passed: the user's message and the model's reply.</summary>
/// <param name="CaseId">The training case it came from.</param>
/// <param name="Input">The user message the prompt rendered for the case.</param>
/// <param name="Output">The reply that passed the case's expectations.</param>
public sealed record Demonstration(string CaseId, string Input, string Output);
