using AgentKit.Abstractions.Tools;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Plugins;

/// <summary>Offers a DI-constructed Semantic Kernel plugin's functions; the plugin is created once, on first use.</summary>
internal sealed class SemanticKernelPluginToolSource(IServiceProvider services, Type pluginType, string? pluginName) : IToolSource
{
    private readonly Lazy<IReadOnlyList<AIFunction>> _tools = new(() => SemanticKernelPlugins.FromType(pluginType, services, pluginName));

    public ValueTask<IReadOnlyList<AIFunction>> GetToolsAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_tools.Value);
}
