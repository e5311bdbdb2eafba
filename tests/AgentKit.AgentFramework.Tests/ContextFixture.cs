using AgentKit.Embeddings.MiniLM;
using AgentKit.Testing;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace AgentKit.AgentFramework.Tests;

/// <summary>The real default embedding model, shared by the context-provider tests (its session takes a second to create).</summary>
public sealed class MiniLMFixture : IDisposable
{
    public MiniLMEmbeddingGenerator Generator { get; } = new();

    public void Dispose() => Generator.Dispose();
}

[CollectionDefinition(nameof(ContextProviderTests))]
public sealed class ContextProviderTests : ICollectionFixture<MiniLMFixture>;

internal static class SeenBy
{
    /// <summary>Everything a scripted model call received as instructions: the options' instructions and the system messages.</summary>
    public static string Instructions(ScriptedChatCall call) =>
        string.Join('\n', new[] { call.Options?.Instructions }.Concat(call.Messages.Where(m => m.Role == ChatRole.System).Select(m => m.Text)).Where(t => !string.IsNullOrEmpty(t)));
}

internal static class AgentRun
{
    /// <summary>Runs the agent once in the session (a new one when null), streamed or not, and returns the answer's text.</summary>
    public static async Task<string> TextAsync(AIAgent agent, Microsoft.Agents.AI.AgentSession? session, string input, bool streaming)
    {
        var ct = TestContext.Current.CancellationToken;
        session ??= await agent.CreateSessionAsync(ct);
        if (!streaming)
        {
            return (await agent.RunAsync(input, session, cancellationToken: ct)).Text;
        }

        var updates = new List<AgentResponseUpdate>();
        await foreach (var update in agent.RunStreamingAsync(input, session, cancellationToken: ct))
        {
            updates.Add(update);
        }

        return updates.ToAgentResponse().Text;
    }
}
