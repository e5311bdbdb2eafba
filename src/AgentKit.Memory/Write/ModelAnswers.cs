namespace AgentKit.Memory.Write;

// The structured answers of the memory prompts; the property names are the prompts' `outputs` keys.
internal sealed record ImportanceAnswer(int Importance);

internal sealed record ReconcileAnswer(IReadOnlyList<ReconcileDecision> Decisions);

internal sealed record ReconcileDecision(string Operation, string Id, string Text, string Reason);
