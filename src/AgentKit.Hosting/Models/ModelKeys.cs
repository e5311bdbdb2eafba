namespace AgentKit.Hosting.Models;

/// <summary>The service keys under which <c>AddAgentKit()</c> registers each configured chat model.</summary>
public static class ModelKeys
{
    /// <summary>
    /// The name under which AgentKit's default embedding model (all-MiniLM-L6-v2, provider <c>MiniLM</c>) is added to
    /// <c>AgentKit:Models</c> when no embedding model is configured; it is then also the unkeyed
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c>.
    /// </summary>
    public const string DefaultEmbedding = "default-embedding";

    /// <summary>
    /// The model's client for agents: the same middleware but without function invocation, because an agent runs
    /// its own tool loop (allowlist, argument validation, approvals) around it. Resolve with
    /// <c>GetRequiredKeyedService&lt;IChatClient&gt;(ModelKeys.ForAgents("local"))</c>.
    /// </summary>
    /// <param name="modelName">The name under <c>AgentKit:Models</c>.</param>
    /// <returns>The service key.</returns>
    public static string ForAgents(string modelName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        return $"{modelName}#agent";
    }
}
