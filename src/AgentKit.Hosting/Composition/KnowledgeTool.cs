using System.ComponentModel;
using AgentKit.Agents;
using AgentKit.Hosting.Configuration;
using AgentKit.Hosting.Knowledge;
using AgentKit.Plugins.Knowledge;
using AgentKit.Rag.Knowledge;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentKit.Hosting.Composition;

/// <summary>
/// The built-in <c>knowledge</c> plugin: one <c>search_knowledge</c> tool that searches the knowledge bases of the
/// agent calling it (<c>AgentKit:Agents:&lt;name&gt;:Knowledge</c>, each a keyed <see cref="KnowledgeBase"/> under
/// the base's name), merging their passages by score. Outside a configured agent (for example over
/// <c>agentkit mcp serve</c>) it searches every registered knowledge base.
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
            List<string> bases = agent is not null && options.CurrentValue.Agents.TryGetValue(agent, out var configured) && configured.Knowledge.Count > 0
                ? configured.Knowledge
                : [.. services.GetServices<KnowledgeBaseName>().Select(k => k.Name).Distinct(StringComparer.OrdinalIgnoreCase)];
            if (bases.Count == 0)
            {
                throw new InvalidOperationException("No knowledge base is configured: add one under AgentKit:Knowledge (or AddAgentKitKnowledge) and name it in the agent's Knowledge list.");
            }

            var found = new List<KnowledgeSearchResult>();
            foreach (var name in bases)
            {
                var plugin = KnowledgePlugin.For(services.GetRequiredKeyedService<KnowledgeBase>(name));
                found.AddRange(await plugin.SearchKnowledgeAsync(query, top, cancellationToken).ConfigureAwait(false));
            }

            if (bases.Count == 1)
            {
                return found;
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
}
