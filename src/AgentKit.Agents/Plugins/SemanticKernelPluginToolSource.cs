using AgentKit.Agents.Tools;
using Microsoft.Extensions.AI;

namespace AgentKit.Agents.Plugins;

/// <summary>Offers a DI-constructed Semantic Kernel plugin's functions; the plugin is created once, on first use.</summary>
internal sealed class SemanticKernelPluginToolSource<T>(IServiceProvider services, string? pluginName) : IToolSource
{
    private readonly Lazy<IReadOnlyList<AIFunction>> _tools = new(() => SemanticKernelPlugins.FromType<T>(services, pluginName));

    public ValueTask<IReadOnlyList<AIFunction>> GetToolsAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_tools.Value);
}
