using AgentKit.Embeddings.MiniLM;

namespace AgentKit.Embeddings.Tests;

/// <summary>One generator for a test class: the session takes a second to create.</summary>
public sealed class MiniLMFixture : IDisposable
{
    public MiniLMEmbeddingGenerator Generator { get; } = new();

    public void Dispose() => Generator.Dispose();
}
