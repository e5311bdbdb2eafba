using AgentKit.Abstractions.Tools;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Tools;

/// <summary>
/// Every tool registered with the application, by name, gathered from the <see cref="IToolSource"/>s; and the tools
/// of the <see cref="IAgentToolSource"/>s (made tools), added per agent by <see cref="ResolveAsync(IEnumerable{string}, string?, CancellationToken)"/>.
/// </summary>
/// <param name="sources">Where the tools come from.</param>
/// <param name="agentSources">Where each agent's own, changing tools come from; none when <see langword="null"/>.</param>
public sealed class ToolCatalog(IEnumerable<IToolSource> sources, IEnumerable<IAgentToolSource>? agentSources = null)
{
    private readonly IToolSource[] _sources = [.. sources ?? throw new ArgumentNullException(nameof(sources))];
    private readonly IAgentToolSource[] _agentSources = [.. agentSources ?? []];

    /// <summary>All tools, keyed by name.</summary>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The tools.</returns>
    /// <exception cref="ToolCatalogException">Two sources offer a tool with the same name.</exception>
    /// <exception cref="ToolSchemaException">A tool's parameter schema cannot be enforced; such a tool is never offered.</exception>
    public async ValueTask<IReadOnlyDictionary<string, AIFunction>> GetAllAsync(CancellationToken cancellationToken = default)
    {
        var all = new Dictionary<string, AIFunction>(StringComparer.Ordinal);
        foreach (var source in _sources)
        {
            foreach (var tool in await source.GetToolsAsync(cancellationToken).ConfigureAwait(false))
            {
                // Compiled once per tool and kept for its calls; a schema that cannot be enforced is refused here.
                _ = ToolSchemas.For(tool);
                if (!all.TryAdd(tool.Name, tool))
                {
                    throw new ToolCatalogException($"Two tools are named '{tool.Name}' (the second from {source.GetType().Name}); tool names must be unique. Rename one (for a Semantic Kernel plugin, pass a plugin name).");
                }
            }
        }

        return all;
    }

    /// <summary>The tools with the given names, in that order.</summary>
    /// <param name="names">Tool names.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The tools.</returns>
    /// <exception cref="ToolCatalogException">A name matches no registered tool.</exception>
    /// <exception cref="ToolSchemaException">A tool's parameter schema cannot be enforced.</exception>
    public ValueTask<IReadOnlyList<AIFunction>> ResolveAsync(IEnumerable<string> names, CancellationToken cancellationToken = default) =>
        ResolveAsync(names, null, cancellationToken);

    /// <summary>
    /// The tools with the given names, in that order, then — when <paramref name="agentName"/> is given — the tools the
    /// <see cref="IAgentToolSource"/>s hold for that agent, except any whose name a registered tool already has (a
    /// made tool never shadows a built-in, plugin or MCP tool) or an earlier agent source gave.
    /// </summary>
    /// <param name="names">Tool names.</param>
    /// <param name="agentName">The agent whose own tools join the list; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The tools.</returns>
    /// <exception cref="ToolCatalogException">A name matches no registered tool.</exception>
    /// <exception cref="ToolSchemaException">A tool's parameter schema cannot be enforced.</exception>
    public async ValueTask<IReadOnlyList<AIFunction>> ResolveAsync(IEnumerable<string> names, string? agentName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(names);
        var all = await GetAllAsync(cancellationToken).ConfigureAwait(false);
        var resolved = new List<AIFunction>();
        foreach (var name in names)
        {
            if (!all.TryGetValue(name, out var tool))
            {
                throw new ToolCatalogException($"No tool named '{name}' is registered. Registered tools: {(all.Count == 0 ? "(none)" : string.Join(", ", all.Keys.Order(StringComparer.Ordinal)))}.");
            }

            resolved.Add(tool);
        }

        if (agentName is null)
        {
            return resolved;
        }

        var taken = new HashSet<string>(all.Keys, StringComparer.Ordinal);
        foreach (var source in _agentSources)
        {
            foreach (var tool in await source.GetToolsAsync(agentName, cancellationToken).ConfigureAwait(false))
            {
                if (taken.Add(tool.Name))
                {
                    _ = ToolSchemas.For(tool);
                    resolved.Add(tool);
                }
            }
        }

        return resolved;
    }
}

/// <summary>A tool lookup failed: an unknown or duplicate tool name.</summary>
public sealed class ToolCatalogException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ToolCatalogException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong.</param>
    public ToolCatalogException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ToolCatalogException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
