namespace AgentKit.Planning;

/// <summary>A worked example for few-shot chain-of-thought.</summary>
/// <param name="Question">The example question.</param>
/// <param name="Reasoning">The step-by-step reasoning.</param>
/// <param name="Answer">The answer the reasoning reaches.</param>
public sealed record CotExample(string Question, string Reasoning, string Answer);
