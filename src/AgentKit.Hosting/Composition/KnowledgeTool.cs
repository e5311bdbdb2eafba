using System.ComponentModel;
using AgentKit.Agents;
using AgentKit.Hosting.Configuration;
using AgentKit.Plugins.Knowledge;
using AgentKit.Rag.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Composition;

/// <summary>
/// The built-in <c>knowledge</c> plugin: one <c>search_knowledge</c> tool that searches the knowledge bases of the
/// agent calling it (<c>AgentKit:Agents:&lt;name&gt;:Knowledge</c>, each a keyed <see cref="RagRetriever"/> under
/// the base's name), merging their passages by score. Outside a configured agent it searches the unkeyed retriever.
/// </summary>
internal static class KnowledgeTool
{
    public static AIFunction Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptionsMonitor<AgentKitOptions>>();

        async Task<IReadOnlyList<KnowledgeSearchResult>> SearchAsync(
            [Description("What to look for, in natural language or keywords.")] string query,
            [Description("How many passages to return (1-20).")] int top = 5,
            CancellationToken cancellationToken = default)
        {
            var agent = AgentRunContext.Current?.AgentName;
            List<string> bases = agent is not null && options.CurrentValue.Agents.TryGetValue(agent, out var configured) ? configured.Knowledge : [];
            if (bases.Count == 0)
            {
                var retriever = services.GetService<RagRetriever>()
                    ?? throw new InvalidOperationException($"Agent '{agent ?? "(none)"}' has no knowledge bases: name them in AgentKit:Agents:{agent ?? "<name>"}:Knowledge.");
                return await new KnowledgePlugin(retriever).SearchKnowledgeAsync(query, top, cancellationToken).ConfigureAwait(false);
            }

            var found = new List<KnowledgeSearchResult>();
            foreach (var name in bases)
            {
                var plugin = new KnowledgePlugin(await RetrieverAsync(services, name, cancellationToken).ConfigureAwait(false));
                found.AddRange(await plugin.SearchKnowledgeAsync(query, top, cancellationToken).ConfigureAwait(false));
            }

            // Scores from one retriever are comparable; across bases they are the best merge available without a re-ranker.
            return [.. found.OrderByDescending(r => r.Score).Take(Math.Clamp(top, 1, new KnowledgePluginOptions().MaxTop)).Select((r, i) => r with { Rank = i + 1 })];
        }

        return AIFunctionFactory.Create(SearchAsync, new AIFunctionFactoryOptions
        {
            Name = KnowledgePlugin.FunctionName,
            Description = KnowledgePlugin.FunctionDescription,
        });
    }

    /// <summary>The retriever of the knowledge base <paramref name="name"/> (<c>AgentKit:Knowledge:&lt;name&gt;</c>), registered keyed by its name.</summary>
    private static Task<RagRetriever> RetrieverAsync(IServiceProvider services, string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(services.GetRequiredKeyedService<RagRetriever>(name));
    }
}
