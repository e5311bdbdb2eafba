namespace AgentKit.Hosting.Knowledge;

/// <summary>One registered knowledge base, so that ingestion and health can find them all.</summary>
internal sealed record KnowledgeBaseName(string Name);
