namespace AgentKit.Memory.Reflection;

// The structured answers of the reflection prompts; the property names are the prompts' `outputs` keys.
internal sealed record QuestionsAnswer(IReadOnlyList<string> Questions);

internal sealed record InsightsAnswer(IReadOnlyList<InsightAnswer> Insights);

internal sealed record InsightAnswer(string Text, IReadOnlyList<string> Evidence);
